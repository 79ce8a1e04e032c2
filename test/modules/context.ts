// Builds a ModuleContext for module tests: explicit vars, a Handlebars render and a table-driven evaluate.
import Handlebars from 'handlebars';
import { RingError } from '../../engine/errors/index.js';
import type { Connection } from '../../engine/connection/types.js';
import type { ModuleContext, ModuleDefinition, ModuleResult, RunCleanup, RunInfo } from '../../engine/modules/define.js';
import { MODULES } from '../../engine/modules/registry.js';
import { finish, moduleIO, type CallRecords } from '../../engine/execute/module-io.js';

export interface TestContextOptions {
  check?: boolean;
  diff?: boolean;
  vars?: Record<string, unknown>;
  playbookDir?: string;
  /** Expression → value for evaluate(); an expression not listed is an undefined variable. */
  expressions?: Record<string, unknown>;
  interactive?: boolean;
  prompt?: (q: string) => Promise<string>;
  signal?: AbortSignal;
  /** Where ctx.read / ctx.change record (default: a fresh record the context exposes as `records`). */
  records?: CallRecords;
  /** The run's identity (default: run `test-run`, playbook /mem/site.yml, no --break-lock). */
  run?: Partial<RunInfo>;
}

/** What a test context collects besides logs: run-end cleanups registered and warnings emitted. */
export interface TestContextExtras {
  logs: string[];
  warnings: string[];
  cleanups: Array<{ what: string; fn: RunCleanup }>;
  /** What the module read and changed (or planned) through ctx.read / ctx.change. */
  records: CallRecords;
  /** Runs the registered cleanups as the executor does at the end of the run (newest first). */
  endRun(): Promise<void>;
}

/** A context whose exec passes stdin/timeout straight to the connection (become/env are the executor's job). */
export function testContext(conn: Connection, o: TestContextOptions = {}): ModuleContext & TestContextExtras {
  const logs: string[] = [];
  const warnings: string[] = [];
  const cleanups: Array<{ what: string; fn: RunCleanup }> = [];
  const vars = o.vars ?? {};
  const records: CallRecords = o.records ?? { reads: [], changes: [] };
  const exec: ModuleContext['exec'] = (command, opts) => conn.exec(command, { stdin: opts?.stdin, timeoutMs: opts?.timeoutMs });
  const check = o.check ?? false;
  return {
    host: conn.host,
    conn,
    check,
    diff: o.diff ?? false,
    vars,
    playbookDir: o.playbookDir ?? '/nonexistent-playbook-dir',
    render: (text) => Handlebars.compile(text, { strict: true, noEscape: true })(vars),
    evaluate: (expr) => {
      if (!o.expressions || !(expr in o.expressions)) throw new RingError('E_UNDEFINED_VAR', `undefined variable in '${expr}'`);
      return o.expressions[expr];
    },
    exec,
    ...moduleIO({ target: conn.host, taskName: 'test task', vars, check, conn, run: { changedSomething: false } }, exec, records),
    records,
    signal: o.signal ?? new AbortController().signal,
    log: (m) => logs.push(m),
    taskName: 'test task',
    interactive: o.interactive ?? false,
    ...(o.prompt ? { prompt: o.prompt } : {}),
    run: { id: 'test-run', playbook: '/mem/site.yml', startedAt: '2026-01-02T03:04:05.000Z', breakLock: false, ...o.run },
    onRunEnd: (what, fn) => cleanups.push({ what, fn }),
    warn: (m) => warnings.push(m),
    logs,
    warnings,
    cleanups,
    endRun: async () => {
      for (const c of cleanups.splice(0).reverse()) await c.fn(AbortSignal.timeout(20_000));
    },
  };
}

/** The registered module `name` (so tests go through the registry, as the executor does). */
export function moduleNamed(name: string): ModuleDefinition<any> {
  const m = MODULES.get(name);
  if (!m) throw new Error(`no module ${name}`);
  return m;
}

/** Runs module `name` with `args` on `conn`. */
export function runModule(name: string, conn: Connection, args: Record<string, unknown>, o: TestContextOptions = {}): Promise<ModuleResult> {
  const ctx = testContext(conn, o);
  return moduleNamed(name).run(ctx, args).then((r) => finish(r, ctx.records));
}
