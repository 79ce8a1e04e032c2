// Builds a ModuleContext for module tests: explicit vars, a Handlebars render and a table-driven evaluate.
import Handlebars from 'handlebars';
import { RingError } from '../../engine/errors/index.js';
import type { Connection } from '../../engine/connection/types.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../../engine/modules/define.js';
import { MODULES } from '../../engine/modules/registry.js';

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
}

/** A context whose exec passes stdin/timeout straight to the connection (become/env are the executor's job). */
export function testContext(conn: Connection, o: TestContextOptions = {}): ModuleContext & { logs: string[] } {
  const logs: string[] = [];
  const vars = o.vars ?? {};
  return {
    host: conn.host,
    conn,
    check: o.check ?? false,
    diff: o.diff ?? false,
    vars,
    playbookDir: o.playbookDir ?? '/nonexistent-playbook-dir',
    render: (text) => Handlebars.compile(text, { strict: true, noEscape: true })(vars),
    evaluate: (expr) => {
      if (!o.expressions || !(expr in o.expressions)) throw new RingError('E_UNDEFINED_VAR', `undefined variable in '${expr}'`);
      return o.expressions[expr];
    },
    exec: (command, opts) => conn.exec(command, { stdin: opts?.stdin, timeoutMs: opts?.timeoutMs }),
    signal: o.signal ?? new AbortController().signal,
    log: (m) => logs.push(m),
    taskName: 'test task',
    interactive: o.interactive ?? false,
    ...(o.prompt ? { prompt: o.prompt } : {}),
    logs,
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
  return moduleNamed(name).run(testContext(conn, o), args);
}
