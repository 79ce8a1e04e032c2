// Pre-flight: before the first task, every task of every play is rendered for every host it targets, as far as it
// can be without results of earlier tasks, so an undefined variable or a missing template is an exit-1 error with
// nothing changed (not a failure after members were stopped).
import { dropOmitted } from '../template/omit.js';
import { dirname, resolve } from 'node:path';
import { RingError, RingErrors } from '../errors/index.js';
import { templateFileError } from '../load/check-files.js';
import type { Node, Playbook, PlayNode, TaskNode } from '../load/model.js';
import { playHosts } from './play.js';
import { PlayState, type RunState } from './state.js';
import { hostView } from './vars.js';

/** Names only a run can give a value: registered results, set_fact keys, loop variables. */
function runtimeNames(playbooks: Playbook[], factModules: (name: string) => boolean): Set<string> {
  const names = new Set(['item', 'ansible_loop', 'ansible_facts']);
  const collect = (n: TaskNode) => {
    if (n.register) names.add(n.register);
    if (factModules(n.module)) for (const k of Object.keys(n.args)) names.add(k);
    if (n.loop_control?.loop_var) names.add(n.loop_control.loop_var);
    if (n.loop_control?.index_var) names.add(n.loop_control.index_var);
  };
  for (const pb of playbooks) for (const p of pb.plays) for (const list of [p.pre_tasks, p.tasks, p.post_tasks, p.handlers]) walkTasks(list, { when: [], vars: [] }, collect);
  return names;
}

/** The variable an E_UNDEFINED_VAR names, by its first segment (`live.members[0]` → `live`). */
function rootOf(e: RingError): string | undefined {
  const m = /(?:undefined variable `|^`)([A-Za-z_][A-Za-z0-9_]*)/.exec(e.message);
  return m?.[1];
}

/** A condition mentions the name as a word: the task may well be skipped when it is undefined. */
function guardedBy(conditions: string[], name: string): boolean {
  const word = new RegExp(`(^|[^A-Za-z0-9_.])${name}([^A-Za-z0-9_]|$)`);
  return conditions.some((c) => word.test(c));
}

interface Scope {
  when: string[];
  vars: Array<Record<string, unknown> | undefined>;
}

/**
 * Renders each task's arguments (and `delegate_to`) per targeted host; errors are collected, never thrown one by one.
 * A task whose failing variable a run could still define (registered, set_fact, loop), or that one of its
 * conditions mentions, is left for the run. Returns the errors (all of them, located at the task).
 */
export async function preflight(run: RunState, playbooks: Playbook[]): Promise<RingError[]> {
  const runtime = runtimeNames(playbooks, (m) => run.ctx.modules.get(m)?.factsFromArgs === true);
  const errors: RingError[] = [];
  const seen = new Set<string>();
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      if (play.hosts.includes('{{') || play.gather_facts) continue;
      const hosts = playHosts(run, play);
      const state = new PlayState(run, pb, play, hosts);
      try {
        for (const file of play.vars_files) Object.assign(state.varsFiles, await run.ctx.loadVarsFile(file));
      } catch (e) {
        if (e instanceof RingErrors) errors.push(...e.errors);
        else if (e instanceof RingError) errors.push(e);
        else throw e;
        continue;
      }
      const check = (task: TaskNode, scope: Scope, host: string) => {
        const e = renderError(state, play, task, scope, host);
        if (!e) return;
        const root = rootOf(e);
        if (root !== undefined && (runtime.has(root) || guardedBy(scope.when, root))) return;
        // One error per task and variable, whatever the number of hosts it targets.
        const key = `${task.loc.file}:${task.loc.line}:${task.loc.col}:${root ?? e.message}`;
        if (seen.has(key)) return;
        seen.add(key);
        errors.push(e);
      };
      for (const section of [play.pre_tasks, play.tasks, play.post_tasks]) {
        for (const host of hosts) walkTasks(section, { when: [], vars: [] }, (t, s) => check(t, s, host));
      }
    }
  }
  return errors;
}

function walkTasks(nodes: Node[], scope: Scope, fn: (t: TaskNode, s: Scope) => void): void {
  for (const n of nodes) {
    const inner: Scope = { when: [...scope.when, ...(n.when ?? [])], vars: [...scope.vars, n.vars] };
    if (n.kind === 'block') {
      for (const list of [n.block, n.rescue, n.always]) walkTasks(list, inner, fn);
    } else {
      fn(n, inner);
    }
  }
}

/** The first error rendering the task for the host, or undefined. */
function renderError(state: PlayState, play: PlayNode, task: TaskNode, scope: Scope, host: string): RingError | undefined {
  const templates = state.ctx.templates;
  const where = { task: task.name, host, location: task.loc };
  try {
    const view = hostView(state, host, scope.vars);
    if (task.loop !== undefined) return undefined; // each item is only known at run time
    if (task.delegate_to) templates.render(task.delegate_to, view, { ...where, what: '`delegate_to`' });
    const args = dropOmitted(templates.renderValue(task.args, view, { ...where, what: 'the arguments' }) as Record<string, unknown>);
    if (task.module === 'template' && typeof args.src === 'string') {
      const e = templateFileError(templates, resolve(dirname(state.playbook.file), args.src), args.src, task);
      if (e) return new RingError(e.code, `${e.message} in task '${task.name ?? task.module}' of play '${play.name}'`, { ...e.details, host });
    }
    return undefined;
  } catch (e) {
    if (e instanceof RingError) return e;
    throw e;
  }
}
