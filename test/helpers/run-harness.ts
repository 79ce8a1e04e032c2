// Builds in-memory plays, inventories and a RunContext with fakes, so executor tests need no loader and no host.
import { runOptions, type AnyModule, type RunContext, type RunOptions, type StepAnswer } from '../../engine/execute/context.js';
import { runPlaybooks, type RunResult } from '../../engine/execute/run.js';
import type { ModuleContext } from '../../engine/modules/define.js';
import type { BlockNode, Inventory, Node, Playbook, PlayNode, TaskNode } from '../../engine/load/model.js';
import type { HostResult, RunEvent } from '../../engine/report/events.js';
import { createTemplateEngine } from '../../engine/template/engine.js';
import { evaluate } from '../../engine/template/expr.js';
import { matchHosts } from '../../engine/inventory/pattern.js';
import { groupMembers, hostVars } from '../../engine/inventory/vars.js';
import { FakeConnectionFactory, type FakeStep } from './fake-connection.js';

const LOC = { file: 'mem.yml', line: 1, col: 1 };

/** `{ etcd: { hosts: ['a','b'], vars: {...} } }` and per-host vars → an Inventory. */
export function inventory(hosts: Record<string, Record<string, unknown>>, groups: Record<string, { hosts: string[]; vars?: Record<string, unknown> }> = {}, allVars: Record<string, unknown> = {}): Inventory {
  const inv: Inventory = { hosts: new Map(), groups: new Map(), sources: ['mem'] };
  inv.groups.set('all', { name: 'all', hosts: [], children: [...Object.keys(groups), 'ungrouped'], vars: allVars });
  const grouped = new Set(Object.values(groups).flatMap((g) => g.hosts));
  inv.groups.set('ungrouped', { name: 'ungrouped', hosts: Object.keys(hosts).filter((h) => !grouped.has(h)), children: [], vars: {} });
  for (const [name, g] of Object.entries(groups)) inv.groups.set(name, { name, hosts: g.hosts, children: [], vars: g.vars ?? {} });
  for (const [name, vars] of Object.entries(hosts)) {
    inv.hosts.set(name, { name, vars, groups: Object.entries(groups).filter(([, g]) => g.hosts.includes(name)).map(([n]) => n) });
  }
  return inv;
}

export function task(module: string, args: Record<string, unknown> = {}, extra: Partial<TaskNode> = {}): TaskNode {
  return { kind: 'task', module, args, loc: LOC, name: extra.name ?? `${module} ${JSON.stringify(args)}`, ...extra };
}

export function block(body: Node[], more: Partial<Omit<BlockNode, 'kind' | 'block'>> = {}): BlockNode {
  return { kind: 'block', block: body, rescue: [], always: [], loc: LOC, ...more };
}

export function play(tasks: Node[], more: Partial<PlayNode> = {}): PlayNode {
  return {
    name: 'test play', hosts: 'all', vars: {}, vars_files: [], serial: [], any_errors_fatal: false, gather_facts: false,
    tags: [], pre_tasks: [], tasks, post_tasks: [], handlers: [], loc: LOC, ...more,
  };
}

export function playbook(...plays: PlayNode[]): Playbook {
  return { file: '/mem/site.yml', dir: '/mem', plays };
}

/** Fake modules: `sh` runs args.cmd on the host; `fact` sets facts; `guard` aborts; `meta` as the real one; `echo` returns args. */
export const FAKE_MODULES: ReadonlyMap<string, AnyModule> = new Map<string, AnyModule>(
  [
    {
      name: 'sh', description: 'run', schema: '', supportsCheckMode: false, idempotent: false, example: '',
      async run(ctx: ModuleContext, args: { cmd: string }) {
        const r = await ctx.exec(args.cmd);
        return { changed: true, rc: r.code, stdout: r.stdout, stderr: r.stderr, failed: r.code !== 0, msg: r.code !== 0 ? `rc ${r.code}` : undefined, commands: [args.cmd] };
      },
    },
    {
      name: 'echo', description: 'echo', schema: '', supportsCheckMode: true, idempotent: true, local: true, example: '',
      async run(ctx: ModuleContext, args: Record<string, unknown>) {
        return { changed: args.changed === true, failed: args.failed === true, msg: args.msg === undefined ? undefined : String(args.msg), args, check: ctx.check, host: ctx.host };
      },
    },
    {
      name: 'fact', description: 'set_fact', schema: '', supportsCheckMode: true, idempotent: true, local: true, factsFromArgs: true, example: '',
      async run(_ctx: ModuleContext, args: Record<string, unknown>) {
        return { changed: false, facts: args };
      },
    },
    {
      name: 'guard', description: 'refuse', schema: '', supportsCheckMode: true, idempotent: true, local: true, example: '',
      async run() {
        return { changed: false, failed: true, abort: true, msg: 'quorum would be lost' };
      },
    },
    {
      name: 'meta', description: 'meta', schema: '', supportsCheckMode: true, idempotent: true, local: true, example: '',
      async run(_ctx: ModuleContext, args: { action: string }) {
        return { changed: false, meta: args.action as 'noop' };
      },
    },
    {
      name: 'sleep', description: 'wait for abort', schema: '', supportsCheckMode: true, idempotent: true, local: true, example: '',
      async run(ctx: ModuleContext) {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        throw new Error('aborted');
      },
    },
  ].map((m) => [m.name, m as AnyModule]),
);

export interface Harness {
  ctx: RunContext;
  events: RunEvent[];
  secrets: string[];
  conns: FakeConnectionFactory;
  abort: AbortController;
  sleeps: number[];
  run(...books: Playbook[]): Promise<RunResult>;
  /** host_result events without `item` (one per host and task), as "task/host/status". */
  results(): string[];
  result(task: string, host: string): HostResult | undefined;
}

export function harness(inv: Inventory, o: { options?: Partial<RunOptions>; script?: Record<string, FakeStep[]>; failing?: Record<string, Error>; step?: StepAnswer[] } = {}): Harness {
  const events: RunEvent[] = [];
  const secrets: string[] = [];
  const sleeps: number[] = [];
  const conns = new FakeConnectionFactory(o.script ?? {}, o.failing ?? {});
  const abort = new AbortController();
  const templates = createTemplateEngine();
  const answers = [...(o.step ?? [])];
  const ctx: RunContext = {
    inventory: inv,
    options: runOptions(o.options),
    bus: { emit: (e) => events.push(e), addSecrets: (s) => secrets.push(...s) },
    connections: conns,
    modules: FAKE_MODULES,
    templates,
    evaluate,
    hostVars,
    groupMembers,
    matchHosts,
    loadVarsFile: async (f) => ({ from_file: f }),
    signal: abort.signal,
    interactive: false,
    confirmStep: o.step ? async () => answers.shift() ?? 'yes' : undefined,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  const hostResults = () => events.filter((e): e is HostResult => e.type === 'host_result' && e.item === undefined);
  return {
    ctx, events, secrets, conns, abort, sleeps,
    run: (...books) => runPlaybooks(books, ctx),
    results: () => hostResults().map((e) => `${e.task}/${e.host}/${e.status}`),
    result: (t, h) => hostResults().find((e) => e.task === t && e.host === h),
  };
}
