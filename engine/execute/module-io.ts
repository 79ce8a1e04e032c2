// ctx.read and ctx.change: the two verbs through which modules touch a host. Reads always run and are recorded with
// their values; changes run, or in check mode are only recorded. A plan guard (apply) sees each before it is used.
import { RingError } from '../errors/index.js';
import { subjectOf, type Fact, type FactArgs } from '../facts/fact.js';
import type { Change, ModuleContext, ModuleResult } from '../modules/define.js';
import type { ChangeRecord, ReadRecord } from '../modules/records.js';
import type { BecomeSpec, Connection } from '../connection/types.js';
import type { Location } from '../errors/index.js';

/** Where a module call is, for plan matching: the task's place in the playbook and the host. */
export interface CallKey {
  /** `file:line:col` of the task (its name when it has no location). */
  task: string;
  host: string;
}

/** A difference between the plan and the live cluster, found right before it would matter. */
export interface Drift {
  what: string;
  planned: unknown;
  live: unknown;
}

/** apply's check: sees every read and change before its value is used or it runs; a Drift stops the run (exit 8). */
export interface PlanGuard {
  read(key: CallKey, record: ReadRecord): Drift | undefined;
  change(key: CallKey, record: ChangeRecord): Drift | undefined;
}

/** What one call recorded (kept on its result under RECORDS, out of registered values and JSON). */
export interface CallRecords {
  reads: ReadRecord[];
  changes: ChangeRecord[];
}

export const RECORDS = Symbol('ringmaster.records');

export function recordsOf(r: ModuleResult): CallRecords | undefined {
  return (r as { [RECORDS]?: CallRecords })[RECORDS];
}

export function withRecords(r: ModuleResult, records: CallRecords): ModuleResult {
  (r as { [RECORDS]?: CallRecords })[RECORDS] = records;
  return r;
}

/**
 * A module call's result with its records: `commands` (what ran, or in check mode would run) is what the module
 * changed through ctx.change, unless the module reports its own.
 */
export function finish(r: ModuleResult, records: CallRecords): ModuleResult {
  if (r.commands === undefined && records.changes.length > 0) r.commands = records.changes.map((c) => c.display);
  return withRecords(r, records);
}

/** Records of several results (loop items) in order. */
export function mergeRecords(results: ModuleResult[]): CallRecords | undefined {
  const all = results.map(recordsOf).filter((x): x is CallRecords => x !== undefined);
  if (all.length === 0) return undefined;
  return { reads: all.flatMap((x) => x.reads), changes: all.flatMap((x) => x.changes) };
}

/** What read and change need of the call they belong to. */
export interface IOTarget {
  /** The host acted on (the delegate with delegate_to). */
  target: string;
  taskName: string;
  location?: Location;
  vars: Record<string, unknown>;
  check: boolean;
  conn: Connection;
  become?: BecomeSpec;
  /** The run's memory of whether anything was changed or planned yet. */
  run: { changedSomething: boolean };
  guard?: PlanGuard;
}

export function callKey(t: Pick<IOTarget, 'location' | 'taskName' | 'target'>): CallKey {
  const loc = t.location;
  return { task: loc ? `${loc.file}:${loc.line}:${loc.col}` : t.taskName, host: t.target };
}

export function displayOf(step: Change): string {
  if ('command' in step) return step.command.display();
  if ('put' in step) return `put ${step.put} (${step.content.length} bytes, sha256 ${step.sha256 ?? '…'})`;
  return step.local;
}

/** Builds ctx.read and ctx.change for one call, recording into `records`. */
export function moduleIO(t: IOTarget, exec: ModuleContext['exec'], records: CallRecords): Pick<ModuleContext, 'read' | 'change'> {
  const { run, guard } = t;
  const key = callKey(t);
  const stop = (d: Drift): never => {
    throw new RingError('E_DRIFT', `${t.target}: ${d.what} changed since the plan was made: planned ${show(d.planned)}, live ${show(d.live)}; nothing more was changed`, { host: t.target, task: t.taskName, location: t.location });
  };
  return {
    async read<T, A>(fact: Fact<T, A>, ...arg: FactArgs<A>): Promise<T> {
      const r = await exec(fact.command(t.vars, ...arg));
      let value: T;
      try {
        value = fact.parse(r.stdout, r.stderr, r.code, ...arg);
      } catch (e) {
        if (e instanceof RingError) throw new RingError(e.code, `${t.target}: ${e.message}`, { ...e.details, host: t.target, task: t.taskName });
        throw e;
      }
      const subject = subjectOf(fact as Fact<unknown, A>, arg[0] as A);
      const rec: ReadRecord = { fact: fact.name, ...(subject !== undefined ? { subject } : {}), value: fact.plan ? fact.plan(value) : value };
      if (run.changedSomething) rec.afterChange = true;
      records.reads.push(rec);
      const drift = guard?.read(key, rec);
      if (drift) stop(drift);
      return value;
    },
    async change(step, { why }) {
      const rec: ChangeRecord = { display: displayOf(step), why, ran: false };
      if (run.changedSomething) rec.afterChange = true;
      const drift = guard?.change(key, rec);
      if (drift) stop(drift);
      records.changes.push(rec);
      run.changedSomething = true;
      if (t.check) return undefined;
      const t0 = Date.now();
      let result;
      if ('command' in step) result = await exec(step.command, { stdin: step.stdin, timeoutMs: step.timeoutMs, become: step.become });
      else if ('put' in step) {
        await t.conn.put(step.put, step.content, { become: t.become, ...step.options });
        result = { code: 0, stdout: '', stderr: '', durationMs: Date.now() - t0 };
      } else {
        await step.run();
        result = { code: 0, stdout: '', stderr: '', durationMs: Date.now() - t0 };
      }
      rec.ran = true;
      rec.code = result.code;
      rec.durationMs = result.durationMs;
      return result;
    },
  };
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
