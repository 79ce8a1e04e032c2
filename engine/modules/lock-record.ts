// The holder record of a ringmaster lock (etcd key or lock file), how a refusal names its holder, and the locks this process holds.
import { hostname, userInfo } from 'node:os';
import { basename } from 'node:path';
import type { Command } from '../connection/command.js';
import type { ExecResult } from '../connection/types.js';
import type { ModuleContext, ModuleResult } from './define.js';

/** What a lock says about its holder: enough for the person refused to find the run and its operator. */
export interface Holder {
  run_id: string;
  user: string;
  /** The controller the run started on. */
  host: string;
  playbook: string;
  /** When the run started (ISO). */
  started: string;
  pid: number;
  backend: 'etcd' | 'files';
  ttl_s: number;
  /** etcd: the lease (hex) the key is attached to. */
  lease?: string;
}

/** The operator: sudo's caller where there is one (root alone names nobody), else the login name. */
function operator(): string {
  if (process.env.SUDO_USER) return process.env.SUDO_USER;
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export function holderRecord(ctx: ModuleContext, backend: Holder['backend'], ttl: number, lease?: string): Holder {
  return { run_id: ctx.run.id, user: operator(), host: hostname(), playbook: ctx.run.playbook, started: ctx.run.startedAt, pid: process.pid, backend, ttl_s: ttl, ...(lease ? { lease } : {}) };
}

/** A lock's value as a ringmaster record; undefined for anything else (a key put by hand). */
export function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return h && typeof h === 'object' && typeof h.run_id === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/** `run R of USER@HOST (playbook P, since T)`; a foreign value is quoted as it is. */
export function describeHolder(text: string): string {
  const h = parseHolder(text);
  if (!h) return `a value that is not a ringmaster holder record: ${JSON.stringify(text.slice(0, 200))}`;
  return `run ${h.run_id} of ${h.user}@${h.host} (playbook ${basename(String(h.playbook))}, since ${h.started}, pid ${h.pid})`;
}

/** The abort result of a lock held by someone else. */
export function refusal(ctx: ModuleContext, where: string, value: string, note = ''): ModuleResult {
  return {
    changed: false,
    failed: true,
    abort: true,
    locked: true,
    holder: parseHolder(value) ?? value,
    msg: `${ctx.host}: ${where} is locked by ${describeHolder(value)}${note}; wait for it, or --break-lock if it is dead`,
  };
}

/** True when the value is this run's own record (another task of the same run took it). */
export function isMine(ctx: ModuleContext, value: string): boolean {
  return parseHolder(value)?.run_id === ctx.run.id;
}

/** A lock this process holds: released at the end of the run, or earlier by a `state: released` task. */
export interface HeldLock {
  what: string;
  release(signal: AbortSignal): Promise<string>;
}

/** run ID + backend + where → lock. Module state, since one process may run several runs (tests, the library API). */
export const heldLocks = new Map<string, HeldLock>();

export function heldId(ctx: ModuleContext, backend: Holder['backend'], where: string): string {
  return `${ctx.run.id}\u0000${backend}\u0000${backend === 'files' ? `${ctx.host}\u0000` : ''}${where}`;
}

/**
 * Remembers the lock, renews it every ttl/3 seconds with `renew` and registers its release at the end of the run.
 * A renewal that fails is a warning, said once: the run goes on (stopping a replacement half-way is worse), but the
 * operator learns that another run could take the lock once it expires.
 */
export function hold(ctx: ModuleContext, id: string, what: string, ttl: number, renew: () => Promise<ExecResult>, release: (signal: AbortSignal) => Promise<string>): void {
  let busy = false;
  let warned = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    renew()
      .then((r) => (r.code === 0 ? undefined : lastLine(r.stderr) || `exit code ${r.code}`), (e: Error) => e.message)
      .then((err) => {
        if (err && !warned) ctx.warn(`${what} could not be renewed: ${err}; another run can take it once it expires`);
        warned ||= Boolean(err);
      })
      .finally(() => (busy = false));
  }, Math.floor((ttl * 1000) / 3));
  timer.unref(); // a forgotten lock must not keep the process alive; the run-end cleanup stops it
  const lock: HeldLock = {
    what,
    release: async (signal) => {
      clearInterval(timer);
      heldLocks.delete(id);
      return release(signal);
    },
  };
  heldLocks.set(id, lock);
  ctx.onRunEnd(`releasing ${what}`, async (signal) => {
    if (heldLocks.get(id) === lock) await lock.release(signal);
  });
}

/** Runs a command on the task's host outside the task (a renewal, a run-end release): task become and environment, own signal. */
export function execOutside(ctx: ModuleContext, command: Command, timeoutMs: number, signal?: AbortSignal, stdin?: string): Promise<ExecResult> {
  return ctx.conn.exec(command, { timeoutMs, become: ctx.become, env: ctx.environment, signal, stdin });
}

export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}
