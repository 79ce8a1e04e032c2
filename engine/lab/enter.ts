// Keeps `ringmaster run` off lab addresses from the root namespace: inside the lab's client netns go on, outside re-run inside it.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { PARENT_FD_ENV } from '../commands/interrupt.js';
import type { CliIO } from '../commands/types.js';
import { RingError } from '../errors/index.js';
import { packageRoot } from '../paths.js';
import { clientHolder, clientNsenter } from './hosts.js';
import { checkLabName } from './spec.js';
import { readState, type LabState } from './state.js';

function notUp(name: string, fromInventory = false): RingError {
  const hint = fromInventory
    ? `the inventory belongs to lab ${name} (all.vars.ringmaster_lab); its hosts are reachable only inside that lab`
    : `\`ringmaster lab status --name ${name}\` shows a lab's state; labs that exist are listed in /var/lib/ringmaster/labs/`;
  return new RingError('E_LAB_NOT_UP', `lab ${name} is not up; run \`ringmaster lab up --name ${name}\``, { hint });
}

/** The lab's state when it is up (its client namespace holder alive), else E_LAB. */
export function upLab(name: string, fromInventory = false): LabState {
  checkLabName(name);
  const state = readState(name);
  if (!state) throw notUp(name, fromInventory);
  try {
    clientHolder(state);
  } catch {
    throw notUp(name, fromInventory);
  }
  return state;
}

/** True when this process already runs in the lab's client network namespace. */
export function insideLab(state: LabState): boolean {
  return statSync('/proc/self/ns/net').ino === state.clientNetnsInode;
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `argv` inside the lab's client namespace (network + mounts) with inherited stdio; resolves with its exit code
 * once it has ended. nsenter without --pid execs the program, so the child PID is the program itself: SIGINT,
 * SIGTERM and SIGHUP sent to this process are passed on to it, and this process waits for it to clean up (never
 * exiting before it). If this process dies without passing anything on (SIGKILL), the child sees the pipe on its
 * fd 3 end and stops itself as if interrupted.
 */
export function runInClient(state: LabState, argv: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, [PARENT_FD_ENV]: '3' };
    const child = spawn('nsenter', [...clientNsenter(state, cwd), ...argv], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env });
    const pass = FORWARDED.map((sig) => {
      const h = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      };
      process.on(sig, h);
      return [sig, h] as const;
    });
    const done = () => {
      for (const [sig, h] of pass) process.off(sig, h);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    // 'exit', not 'close': a process the child started may hold the pipe's other end for longer.
    child.on('exit', (code, signal) => {
      done();
      child.stdio[3]?.destroy();
      resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1));
    });
  });
}

/**
 * Called by `ringmaster run` when the inventory carries `ringmaster_lab: NAME`.
 * Returns undefined when this process already runs inside that lab's client network namespace (go on);
 * otherwise re-runs the same ringmaster command inside it and returns that exit code;
 * throws RingError E_LAB when the lab is not up.
 */
export async function enterLabIfNeeded(labName: string, argv: string[], io: CliIO): Promise<number | undefined> {
  const state = upLab(labName, true);
  if (insideLab(state)) return undefined;
  const bin = join(packageRoot(), 'bin', 'ringmaster.js');
  return runInClient(state, [process.execPath, bin, ...argv], io.cwd);
}
