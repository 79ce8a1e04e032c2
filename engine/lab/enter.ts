// Keeps `ringmaster run` off lab addresses from the root namespace: inside the lab's client netns go on, outside re-run inside it.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
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

/** Runs `argv` inside the lab's client namespace (network + mounts) with inherited stdio; resolves with its exit code. */
export function runInClient(state: LabState, argv: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [...clientNsenter(state, cwd), ...argv], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
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
