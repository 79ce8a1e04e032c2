// Shared plumbing of the etcd modules: live facts read at task time, etcdctl runs, member lookup, bounded retries.
import type { Command, Part } from '../connection/command.js';
import { RingError } from '../errors/index.js';
import { etcdctl, etcdctlSettings } from '../etcd/etcdctl.js';
import { memberLabel } from '../etcd/drift.js';
import { deterministicLine } from '../etcd/etcdctl-errors.js';
import { findMember, type Member, type MemberList } from '../etcd/members.js';
import { etcdMembers, lastLine } from '../facts/etcd-members.js';
import type { Fact } from '../facts/fact.js';
import type { ModuleContext } from './define.js';

/** A failure of an etcd module, naming the host (and task) where it happened. */
export function etcdError(ctx: ModuleContext, message: string, hint?: string): RingError {
  return new RingError('E_TASK_FAILED', message, { host: ctx.host, task: ctx.taskName, location: ctx.taskLocation, hint });
}

/** Reads a fact now (never cached: facts go stale the moment anything changes); recorded through ctx.read. */
export function readFact<T>(ctx: ModuleContext, fact: Fact<T>, endpoints?: string[]): Promise<T> {
  return ctx.read(fact, endpoints);
}

/** Endpoints from the task's arguments (empty → the host's local client URL). */
export function endpointsArg(endpoints: string[] | undefined): string[] | undefined {
  return endpoints && endpoints.length > 0 ? endpoints : undefined;
}

export function memberList(ctx: ModuleContext, endpoints?: string[]): Promise<MemberList> {
  return readFact(ctx, etcdMembers, endpoints);
}

/** The first client URL of every started member (unstarted members have none to ask). */
export function clientEndpoints(members: Member[]): string[] {
  return members.filter((m) => m.started && m.clientURLs.length > 0).map((m) => m.clientURLs[0]);
}

/**
 * A member reference as users write it: a hex ID, a peer URL or a name. A name is only a hint (a dead member may
 * share a live node's name): when several members carry it, the reference is refused rather than guessed.
 */
export function resolveMember(members: Member[], ref: string): Member | undefined {
  if (/^[a-z]+:\/\//i.test(ref)) return findMember(members, { peerURL: ref });
  if (/^[0-9a-f]{16}$/i.test(ref)) {
    const byId = findMember(members, { id: ref });
    if (byId) return byId;
  }
  const named = members.filter((m) => m.name !== '' && m.name === ref);
  if (named.length > 1) {
    throw new RingError('E_TASK_FAILED', `the name ${ref} is carried by ${named.length} members: ${named.map(label).join(', ')}`, {
      hint: 'members are known by ID and peer URL: name the member by its hex ID or peer URL',
    });
  }
  return named[0];
}

/** How a member is named in messages: `node3 (8e9e05c52164694d, https://10.0.0.13:2380)`. */
export const label = memberLabel;

/** An etcdctl command for this host with the task's endpoints. */
export function etcdctlCommand(ctx: ModuleContext, endpoints: string[] | undefined, ...args: Part[]): Command {
  return etcdctl(etcdctlSettings(ctx.vars, endpoints), ...args);
}

/** Retry a transient refusal until the deadline, unless `hopeless` (asked between attempts) says why it cannot succeed. */
export interface EtcdctlRetry {
  retryOn: RegExp;
  timeoutS: number;
  delayS: number;
  hopeless?: () => Promise<string | undefined>;
}

export interface EtcdctlOutcome {
  ok: boolean;
  stdout: string;
  /** etcdctl's `Error: …` line (or the last stderr line); for a deterministic failure the line that names it. */
  error: string;
  attempts: number;
  /** etcdctl refused for a reason no retry fixes (bad flag, missing TLS file, env conflict, x509). */
  deterministic: boolean;
  /** The retry's `hopeless` check gave up early (the error then says why). */
  hopeless?: boolean;
}

/**
 * Runs an etcdctl command, retrying while its error matches `retryOn` and the deadline has not passed.
 * A deterministic error (etcdctl-errors.ts) ends it at once, whatever `retryOn` says: retrying cannot fix it.
 * Deadlines are wall-clock: each attempt can itself take up to the command timeout.
 */
export async function runEtcdctl(ctx: ModuleContext, command: Command, retry?: EtcdctlRetry): Promise<EtcdctlOutcome> {
  const deadline = Date.now() + (retry?.timeoutS ?? 0) * 1000;
  for (let attempts = 1; ; attempts++) {
    const r = await ctx.exec(command);
    if (r.code === 0) return { ok: true, stdout: r.stdout, error: '', attempts, deterministic: false };
    const fatal = deterministicLine(r.stderr, r.code);
    const error = fatal ?? (lastLine(r.stderr) || `exit code ${r.code}`);
    if (fatal !== undefined || !retry || !retry.retryOn.test(error) || Date.now() + retry.delayS * 1000 >= deadline) return { ok: false, stdout: r.stdout, error, attempts, deterministic: fatal !== undefined };
    const hopeless = await retry.hopeless?.();
    if (hopeless !== undefined) return { ok: false, stdout: r.stdout, error: `${error}; ${hopeless}`, attempts, deterministic: false, hopeless: true };
    ctx.log(`${command.display()}: ${error}; retrying (attempt ${attempts + 1})`);
    await sleep(retry.delayS * 1000, ctx.signal);
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A host variable as a non-empty string, or the default. */
export function varStr(vars: Readonly<Record<string, unknown>>, key: string, dflt: string): string {
  const v = vars[key];
  return typeof v === 'string' && v !== '' ? v : dflt;
}

/** `3.5.12` → [3, 5]; unknown → undefined. */
export function versionOf(v: unknown): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(String(v ?? ''));
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function atLeast(v: [number, number] | undefined, major: number, minor: number): boolean {
  return v !== undefined && (v[0] > major || (v[0] === major && v[1] >= minor));
}

/** Host and port of a URL like https://10.0.0.1:2379 (port defaults to 2379). */
export function hostPort(url: string, dfltPort = 2379): { host: string; port: number } {
  try {
    const u = new URL(url);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : dfltPort };
  } catch {
    return { host: '127.0.0.1', port: dfltPort };
  }
}
