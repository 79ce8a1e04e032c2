// Syntax of every template and condition in a loaded playbook, checked before anything runs (validate).
import { RingError, type Location } from '../errors/index.js';
import { createTemplateEngine, type TemplateEngine, type TemplateOrigin } from '../template/engine.js';
import { checkExpr } from '../template/expr.js';
import { locationOf } from './located.js';
import type { Node, Playbook, TaskNode } from './model.js';
import { sourceLine } from './yaml.js';

/** Module arguments that are bare expressions rather than templates. */
const EXPRESSION_ARGS: Record<string, string[]> = { assert: ['that'], debug: ['var'] };

type Check = (text: string, origin: TemplateOrigin) => void;

/** Every template (module arguments, names, vars, loop) and condition (when, until, …) of the playbook. */
export async function checkTemplates(pb: Playbook): Promise<RingError[]> {
  const errors: RingError[] = [];
  let engine: TemplateEngine | undefined;
  let usable = true;
  // The template room's engine may still be a stub that throws "not implemented": then skip quietly.
  const guard = (fn: () => void) => {
    if (!usable) return;
    try {
      fn();
    } catch (e) {
      if (e instanceof RingError) {
        if (e.location && e.details.sourceLine === undefined) {
          const line = sourceLine(e.location);
          if (line !== undefined) e.details.sourceLine = line;
        }
        errors.push(e);
      } else if (/not implemented/i.test(String((e as Error)?.message))) usable = false;
      else throw e;
    }
  };
  guard(() => (engine = createTemplateEngine()));
  const template: Check = (text, origin) => {
    if (engine && /\{\{|\{%/.test(text)) guard(() => engine!.check(text, origin));
  };
  const expr: Check = (text, origin) => guard(() => checkExpr(text, origin));

  for (const play of pb.plays) {
    const at = (key: string): Location | undefined => locationOf(play, key) ?? play.loc;
    template(play.name, { what: 'the play name', location: at('name') });
    template(play.hosts, { what: '`hosts`', location: at('hosts') });
    values(play.vars, (text, loc, path) => template(text, { what: `variable \`${path}\` of play '${play.name}'`, location: loc ?? play.loc }));
    for (const section of [play.pre_tasks, play.tasks, play.post_tasks, play.handlers]) nodes(section, template, expr);
  }
  return errors;
}

function nodes(list: Node[], template: Check, expr: Check): void {
  for (const n of list) {
    const task = n.name;
    const at = (key: string): Location => locationOf(n, key) ?? n.loc;
    if (n.name) template(n.name, { what: 'the name', location: at('name') });
    for (const c of n.when ?? []) expr(c, { task, what: '`when`', location: at('when') });
    values(n.vars ?? {}, (text, loc, path) => template(text, { task, what: `variable \`${path}\``, location: loc ?? n.loc }));
    if (n.kind === 'block') {
      nodes(n.block, template, expr);
      nodes(n.rescue, template, expr);
      nodes(n.always, template, expr);
      continue;
    }
    taskParts(n, template, expr, at);
  }
}

function taskParts(n: TaskNode, template: Check, expr: Check, at: (key: string) => Location): void {
  const task = n.name;
  for (const key of ['changed_when', 'failed_when'] as const) for (const c of n[key] ?? []) expr(c, { task, what: `\`${key}\``, location: at(key) });
  if (n.until !== undefined) expr(n.until, { task, what: '`until`', location: at('until') });
  if (typeof n.loop === 'string') template(n.loop, { task, what: '`loop`', location: at('loop') });
  const exprArgs = EXPRESSION_ARGS[n.module] ?? [];
  values(n.args, (text, loc, path) => {
    const origin = { task, what: `argument \`${path}\``, location: loc ?? n.loc };
    if (exprArgs.includes(path.split(/[.[]/)[0])) expr(text, origin);
    else template(text, origin);
  });
}

/** Calls `fn` for every string inside `value`, with its location and path (`a.b[0]`). */
export function values(value: unknown, fn: (text: string, loc: Location | undefined, path: string) => void, path = '', owner?: unknown, key?: string | number): void {
  if (typeof value === 'string') {
    fn(value, owner === undefined || key === undefined ? undefined : locationOf(owner, key), path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => values(v, fn, `${path}[${i}]`, value, i));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) values(v, fn, path ? `${path}.${k}` : k, value, k);
  }
}
