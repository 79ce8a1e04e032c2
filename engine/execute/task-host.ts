// One task on one host: when, loop, argument rendering, check mode, until/retries, changed_when/failed_when.
import { dropOmitted } from '../template/omit.js';
import { RingError, isRingError } from '../errors/index.js';
import { lazyConnection } from '../connection/factory.js';
import type { BecomeSpec } from '../connection/types.js';
import type { ModuleResult } from '../modules/define.js';
import type { HostStatus } from '../report/events.js';
import { truthy } from '../template/expr.js';
import { invokeModule, pause, Unreachable, type CallTarget } from './invoke.js';
import { mergeRecords, withRecords } from './module-io.js';
import { loopItems, loopLayer, loopLabel } from './loop.js';
import type { EffectiveTask } from './scope.js';
import type { PlayState } from './state.js';
import { connectionVars, hostView } from './vars.js';

/** What happened to one host (loops aggregated); `result` is what `register` stores. */
export interface HostOutcome {
  host: string;
  status: HostStatus;
  result: ModuleResult;
  durationMs: number;
  delegatedTo?: string;
}

/** Per-item report hook (a looping task reports each item, then the host's overall result). */
export type ItemReporter = (host: string, item: string, status: HostStatus, result: ModuleResult, durationMs: number) => void;

export async function runTaskOnHost(play: PlayState, task: EffectiveTask, host: string, onItem: ItemReporter): Promise<HostOutcome> {
  const started = Date.now();
  const base = [task.blockVars, task.node.vars];
  let delegatedTo: string | undefined;
  try {
    const view = hostView(play, host, base);
    delegatedTo = task.delegateTo ? String(play.ctx.templates.render(task.delegateTo, view, { task: task.name, host, location: task.node.loc })) : undefined;
    if (task.node.loop === undefined) {
      const result = await runOnce(play, task, host, view, delegatedTo);
      return { host, status: statusOf(result), result, durationMs: Date.now() - started, delegatedTo };
    }
    const items = loopItems(play, task, view);
    const results: ModuleResult[] = [];
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && task.node.loop_control?.pause) await pause(play, task.node.loop_control.pause * 1000);
      if (play.run.stopped) break;
      const layer = loopLayer(task, items, i);
      const itemView = hostView(play, host, [...base, layer]);
      const t0 = Date.now();
      const r = await runOnce(play, task, host, itemView, delegatedTo);
      // set_fact in a loop: each item's facts are visible to the next item (Ansible accumulates them this way).
      if (r.facts && typeof r.facts === 'object' && !r.failed) Object.assign(play.run.host(host).facts, r.facts);
      const loopVar = task.node.loop_control?.loop_var ?? 'item';
      results.push({ ...r, [loopVar]: items[i], ansible_loop_var: loopVar });
      onItem(host, loopLabel(play, task, itemView, items[i]), statusOf(r), r, Date.now() - t0);
      if (r.abort) break;
    }
    const merged = mergeRecords(results);
    const result = merged ? withRecords(aggregate(results), merged) : aggregate(results);
    return { host, status: statusOf(result), result, durationMs: Date.now() - started, delegatedTo };
  } catch (e) {
    if (e instanceof Unreachable) {
      // The hint (how to accept a host key, `ssh-keygen -R`, ...) is what the user needs next: keep it in the result.
      const hint = e.cause.details.hint;
      return { host, status: 'unreachable', result: { changed: false, unreachable: true, msg: hint ? `${e.cause.message}\n  hint: ${hint}` : e.cause.message }, durationMs: Date.now() - started, delegatedTo };
    }
    const msg = isRingError(e) ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
    return { host, status: 'failed', result: { changed: false, failed: true, msg }, durationMs: Date.now() - started, delegatedTo };
  }
}

export function statusOf(r: ModuleResult): HostStatus {
  if (r.unreachable) return 'unreachable';
  if (r.failed) return 'failed';
  if (r.skipped) return 'skipped';
  return r.changed ? 'changed' : 'ok';
}

/** One module call, with its `when`, check-mode gate, retries and result conditions. */
async function runOnce(play: PlayState, task: EffectiveTask, host: string, view: Record<string, unknown>, delegate?: string): Promise<ModuleResult> {
  const ctx = play.ctx;
  const origin = { task: task.name, host, location: task.node.loc };
  for (const cond of task.when) {
    if (!truthy(ctx.evaluate(cond, view, { ...origin, what: '`when`' }))) {
      return { changed: false, skipped: true, skip_reason: 'Conditional result was False', false_condition: cond };
    }
  }
  const module = task.internal ?? ctx.modules.get(task.node.module);
  if (!module) throw new RingError('E_UNKNOWN_MODULE', `unknown module '${task.node.module}'`, { task: task.name, location: task.node.loc });
  const check = task.checkMode ?? ctx.options.check;
  if (check && !module.supportsCheckMode) {
    return { changed: false, skipped: true, msg: `skipped in check mode: module ${module.name} does not support check mode` };
  }
  const args = dropOmitted(ctx.templates.renderValue(task.node.args, view, origin) as Record<string, unknown>);
  if (!task.internal) ctx.validateArgs?.(module.name, args, { task: task.name, host, location: task.node.loc });
  const target = delegate ?? host;
  const targetView = delegate && delegate !== host ? () => connectionVars(hostView(play, delegate)) : () => connectionVars(view);
  const call: CallTarget = {
    play, task, host, target, vars: view, check,
    conn: lazyConnection(ctx.connections, target, targetView),
    become: becomeFor(task, view),
    environment: environmentFor(play, task, view, origin),
  };
  return attempts(play, task, call, module, args);
}

/** until/retries/delay around the call; changed_when/failed_when apply to every attempt. */
async function attempts(play: PlayState, task: EffectiveTask, call: CallTarget, module: NonNullable<EffectiveTask['internal']>, args: Record<string, unknown>): Promise<ModuleResult> {
  const node = task.node;
  const tries = node.until ? (node.retries ?? 3) + 1 : 1;
  let result: ModuleResult = { changed: false };
  for (let n = 1; n <= tries; n++) {
    const raw = await invokeModule(module, args, call);
    const judged = checkModeTolerant(call, raw, () => {
      const r = conditions(play, task, call, raw);
      if (!node.until || r.abort) return { r, done: true };
      const vars = withResult(call.vars, node.register, r);
      return { r, done: truthy(play.ctx.evaluate(node.until, vars, { task: task.name, host: call.host, location: node.loc, what: '`until`' })) };
    });
    result = judged.r;
    if (node.until) result.attempts = n;
    if (judged.done) return result;
    if (n < tries) {
      play.ctx.log?.(`[${call.host}] ${task.name}: retrying (${tries - n} attempt(s) left)`);
      await pause(play, (node.delay ?? 5) * 1000);
      if (play.run.stopped) break;
    }
  }
  return { ...result, failed: true, msg: `the \`until\` condition was still false after ${result.attempts ?? 1} attempt(s)${result.msg ? `: ${String(result.msg)}` : ''}` };
}

/**
 * In check mode a module that only planned has no output to test: a condition that reads a part of the
 * result that is not there keeps the planned result as is, instead of failing the dry run.
 */
function checkModeTolerant(call: CallTarget, raw: ModuleResult, judge: () => { r: ModuleResult; done: boolean }): { r: ModuleResult; done: boolean } {
  try {
    return judge();
  } catch (e) {
    if (call.check && isRingError(e) && (e.code === 'E_UNDEFINED_VAR' || e.code === 'E_EXPR_EVAL')) return { r: raw, done: true };
    throw e;
  }
}

function conditions(play: PlayState, task: EffectiveTask, call: CallTarget, r: ModuleResult): ModuleResult {
  const node = task.node;
  if (r.abort || (!node.changed_when && !node.failed_when)) return r;
  const vars = withResult(call.vars, node.register, r);
  const origin = { task: task.name, host: call.host, location: node.loc };
  const out = { ...r };
  if (node.changed_when) out.changed = node.changed_when.every((c) => truthy(play.ctx.evaluate(c, vars, { ...origin, what: '`changed_when`' })));
  if (node.failed_when) out.failed = node.failed_when.every((c) => truthy(play.ctx.evaluate(c, vars, { ...origin, what: '`failed_when`' })));
  return out;
}

/** The view plus the task's own result, as the register name and as `result` (getters are kept, not triggered). */
export function withResult(view: Record<string, unknown>, register: string | undefined, result: ModuleResult): Record<string, unknown> {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(view)) as Record<string, unknown>;
  Object.defineProperty(out, 'result', { value: result, enumerable: true, configurable: true, writable: true });
  if (register) Object.defineProperty(out, register, { value: result, enumerable: true, configurable: true, writable: true });
  return out;
}

/**
 * The task's become, or, where no play/block/task said `become:`, the host's Ansible connection variables
 * (`ansible_become`, `ansible_become_user`, `ansible_become_method`) — how inventories mark hosts needing sudo.
 */
function becomeFor(task: EffectiveTask, view: Record<string, unknown>): BecomeSpec | undefined {
  let spec = task.become;
  if (!spec && !task.becomeExplicit && truthy(view.ansible_become)) {
    const method = view.ansible_become_method;
    spec = {
      method: method === 'su' || method === 'none' ? method : 'sudo',
      user: typeof view.ansible_become_user === 'string' ? view.ansible_become_user : 'root',
    };
  }
  if (!spec) return undefined;
  const passwordEnv = view.ringmaster_become_password_env;
  return typeof passwordEnv === 'string' ? { ...spec, passwordEnv } : spec;
}

/** `environment:` values are templates like any argument (`TOKEN: "{{ etcd_token }}"`); the shell gets strings. */
function environmentFor(play: PlayState, task: EffectiveTask, view: Record<string, unknown>, origin: { task: string; host: string; location: EffectiveTask['node']['loc'] }): Record<string, string> | undefined {
  if (!task.environment) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(task.environment)) {
    const r = play.ctx.templates.renderValue(v, view, { ...origin, what: `environment ${k}` });
    out[k] = typeof r === 'string' ? r : JSON.stringify(r);
  }
  return out;
}

/** Ansible's loop result: `results` per item, changed/failed if any item was, skipped if all were. */
function aggregate(results: ModuleResult[]): ModuleResult {
  const failed = results.some((r) => r.failed);
  const out: ModuleResult = {
    changed: results.some((r) => r.changed),
    results,
    // every item's facts (later items win), so secrets among them are masked like a single set_fact's
    ...(results.some((r) => r.facts) ? { facts: Object.assign({}, ...results.map((r) => r.facts ?? {})) } : {}),
    msg: failed ? 'one or more items failed' : 'all items completed',
  };
  if (failed) out.failed = true;
  if (results.every((r) => r.skipped)) out.skipped = true; // also: no items at all
  if (results.some((r) => r.abort)) {
    out.abort = true;
    out.msg = String(results.find((r) => r.abort)?.msg ?? out.msg);
  }
  return out;
}
