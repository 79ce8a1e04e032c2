// One module call for one host and item: build its ModuleContext, apply the task timeout, classify what it threw.
import type { BecomeSpec, Connection } from '../connection/types.js';
import { RingError, isRingError } from '../errors/index.js';
import type { ModuleContext, ModuleResult } from '../modules/define.js';
import { defaultSleep, type AnyModule } from './context.js';
import { finish, moduleIO, withRecords, type CallRecords } from './module-io.js';
import type { EffectiveTask } from './scope.js';
import type { PlayState } from './state.js';

/** Transport failures: the host is unreachable, not failed. */
export const TRANSPORT_CODES = new Set(['E_UNREACHABLE', 'E_HOSTKEY_UNKNOWN', 'E_HOSTKEY_CHANGED', 'E_AUTH']);

/** Thrown out of a task when the host's transport fails; the task runner turns it into `unreachable`. */
export class Unreachable extends Error {
  constructor(override readonly cause: RingError) {
    super(cause.message);
  }
}

/** Everything one call needs besides the module and its rendered arguments. */
export interface CallTarget {
  play: PlayState;
  task: EffectiveTask;
  /** The host whose vars are used (the original host, also with delegate_to). */
  host: string;
  /** The host the module acts on (the delegate with delegate_to). */
  target: string;
  conn: Connection;
  vars: Record<string, unknown>;
  check: boolean;
  become?: BecomeSpec;
  /** The task's `environment:`, rendered for this host. */
  environment?: Record<string, string>;
}

/** Runs the module; a transport error becomes Unreachable, a guard error an abort, anything else a failed result. */
export async function invokeModule(module: AnyModule, args: Record<string, unknown>, t: CallTarget): Promise<ModuleResult> {
  const ctx = t.play.ctx;
  const timeoutMs = t.task.timeoutSec ? t.task.timeoutSec * 1000 : undefined;
  const local = new AbortController();
  const signal = AbortSignal.any([ctx.signal, local.signal]);
  const origin = { task: t.task.name, host: t.host, location: t.task.node.loc };
  const exec: ModuleContext['exec'] = (command, o = {}) =>
    t.conn.exec(command, { stdin: o.stdin, timeoutMs: o.timeoutMs ?? timeoutMs, env: t.environment, become: o.become ?? t.become, signal });
  const records: CallRecords = { reads: [], changes: [] };
  const mctx: ModuleContext = {
    host: t.target,
    conn: t.conn,
    check: t.check,
    diff: ctx.options.diff,
    vars: t.vars,
    playbookDir: t.play.playbook.dir,
    render: (text, what) => ctx.templates.render(text, t.vars, { ...origin, what }),
    evaluate: (expr) => ctx.evaluate(expr, t.vars, origin),
    exec,
    ...moduleIO({ target: t.target, taskName: t.task.name, location: t.task.node.loc, vars: t.vars, check: t.check, conn: t.conn, become: t.become, run: t.play.run, guard: ctx.plan }, exec, records),
    become: t.become,
    environment: t.environment,
    timeoutMs,
    signal,
    // -v lines of a no_log task would show its commands and output: say only that they are hidden
    log: (line) => ctx.log?.(`[${t.host}] ${t.task.noLog ? '(output hidden: no_log)' : line}`),
    taskLocation: t.task.node.loc,
    taskName: t.task.name,
    interactive: ctx.interactive,
    ...(ctx.prompt ? { prompt: ctx.prompt } : {}),
    run: { id: t.play.run.id, playbook: t.play.playbook.file, startedAt: t.play.run.startedAt, breakLock: ctx.options.breakLock },
    onRunEnd: (what, cleanup) => t.play.run.end.add(what, cleanup),
    warn: (msg) => ctx.bus.emit({ type: 'warning', ts: new Date().toISOString(), msg, host: t.host, task: t.task.name }),
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = module.run(mctx, args);
    if (!timeoutMs) return finish(normalize(await run), records);
    const expired = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const first = await Promise.race([run, expired]);
    if (first === 'timeout') {
      local.abort();
      run.catch(() => {}); // it will reject on the abort; already reported as a timeout
      return withRecords({ changed: false, failed: true, msg: `the task timed out after ${t.task.timeoutSec}s` }, records);
    }
    return finish(normalize(first), records);
  } catch (e) {
    return withRecords(classify(e, t), records);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function normalize(r: ModuleResult): ModuleResult {
  return { ...r, changed: r.changed === true };
}

/** What a module call stopped by the interrupt returns: not a failure of the host, and not counted as one. */
export const INTERRUPTED: Readonly<ModuleResult> = { changed: false, failed: true, interrupted: true, msg: 'interrupted' };

function classify(e: unknown, t: CallTarget): ModuleResult {
  // After an interrupt every error is the interrupt's doing (we closed the channel, the connection, the wait).
  if (t.play.ctx.signal.aborted && !(isRingError(e) && (e.code === 'E_GUARD' || e.code === 'E_DRIFT'))) return { ...INTERRUPTED };
  if (isRingError(e)) {
    if (TRANSPORT_CODES.has(e.code)) throw new Unreachable(e);
    if (e.code === 'E_GUARD' || e.code === 'E_DRIFT') return { changed: false, failed: true, abort: true, msg: e.message };
    if (e.code === 'E_ABORTED') return { ...INTERRUPTED };
    return { changed: false, failed: true, msg: e.message, error_code: e.code };
  }
  return { changed: false, failed: true, msg: `module ${t.task.node.module} raised an error: ${(e as Error)?.message ?? String(e)}` };
}

/** Sleep that honours the run's interrupt (tests inject an instant one). */
export function pause(play: PlayState, ms: number): Promise<void> {
  return (play.ctx.sleep ?? defaultSleep)(ms, play.ctx.signal);
}
