// Running host programs for the lab: capture output, time out, and identify processes safely by PID.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RingError } from '../errors/index.js';

/** What a finished program produced. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program (no shell) and resolves with its exit code and output; never rejects for a non-zero exit. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    const timer = opts.timeoutMs
      ? setTimeout(() => { stderr += `\n(timed out after ${opts.timeoutMs} ms)`; child.kill('SIGKILL'); }, opts.timeoutMs)
      : undefined;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => { if (timer) clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Like run(), but a non-zero exit is a RingError E_LAB naming what failed. */
export async function runOk(cmd: string, args: string[], what: string, opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new RingError('E_LAB', `${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-600)}`);
  }
  return r;
}

/** The kernel's start time of a PID (field 22 of /proc/PID/stat), or undefined if it is gone. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A PID recorded together with its start time, so a recycled PID is never mistaken for ours. */
export interface ProcRef {
  pid: number;
  start: string;
}

export function procRef(pid: number): ProcRef | undefined {
  const start = startTime(pid);
  return start === undefined ? undefined : { pid, start };
}

export function isAlive(ref: ProcRef | undefined): boolean {
  return !!ref && startTime(ref.pid) === ref.start;
}

/** Direct children of a process (needs CONFIG_PROC_CHILDREN, present on Debian kernels). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value other than undefined, or throws E_LAB after the deadline. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new RingError('E_LAB', `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}
