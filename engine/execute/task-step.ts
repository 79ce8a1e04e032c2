// One task across the current hosts (linear strategy): selection, forks, run_once, results, events, play-level effects.
import type { ModuleResult } from '../modules/define.js';
import type { HostResult, HostStatus } from '../report/events.js';
import { forEachLimit } from './pool.js';
import { recordsOf } from './module-io.js';
import type { EffectiveTask } from './scope.js';
import { interruptReason, type PlayState } from './state.js';
import { tagsSelect } from './tags.js';
import { runTaskOnHost, type HostOutcome } from './task-host.js';
import { isSecretName } from '../inventory/secret-names.js';
import { resultSecrets } from './result-secrets.js';
import { collectStrings } from './vars.js';
import { flushHandlers } from './handlers.js';

const CENSORED = 'the output has been hidden due to the task having `no_log: true`';

/** Runs a task on `hosts`; returns the hosts whose failure was neither ignored (they leave the enclosing block). */
export async function runTask(play: PlayState, task: EffectiveTask, hosts: string[]): Promise<Set<string>> {
  const failed = new Set<string>();
  if (!(await selected(play, task))) return failed;
  const ctx = play.ctx;
  const started = Date.now();
  play.run.currentTask = task.name;
  ctx.bus.emit({ type: 'task_start', ts: now(), play: play.play.name, task: task.name, module: task.node.module, hosts, ...(task.handler ? { handler: true } : {}), loc: task.node.loc });
  const targets = task.runOnce ? hosts.slice(0, 1) : hosts;
  const outcomes: HostOutcome[] = [];
  const onItem = (host: string, item: string, status: HostStatus, r: ModuleResult, ms: number) => {
    if (!interrupted(play, r, ctx.signal.aborted)) emitResult(play, task, host, status, r, ms, { item: task.noLog ? '(censored)' : item });
  };
  // hosts whose call ended after the interrupt fired: only their failure is the interrupt's doing
  const endedAfterInterrupt = new Set<string>();
  await forEachLimit(targets, ctx.options.forks, async (host) => {
    outcomes.push(await runTaskOnHost(play, task, host, onItem));
    if (ctx.signal.aborted) endedAfterInterrupt.add(host);
  });
  const byHost = new Map(outcomes.map((o) => [o.host, o]));
  let flush = false;
  const cut: string[] = [];
  for (const host of hosts) {
    // run_once: the one result counts for every host of the batch (register, notify, failure)
    const o = byHost.get(host) ?? (task.runOnce && outcomes[0] ? { ...outcomes[0], host } : undefined);
    if (!o) continue;
    const source = byHost.has(host) ? host : outcomes[0]?.host; // run_once: the one host that ran it
    if (interrupted(play, o.result, source !== undefined && endedAfterInterrupt.has(source))) {
      cut.push(host); // neither failed nor unreachable: the run was stopped; the recap says where
      continue;
    }
    if (byHost.has(host)) emitResult(play, task, host, o.status, o.result, o.durationMs, o.delegatedTo ? { delegatedTo: o.delegatedTo } : {});
    if (apply(play, task, o)) failed.add(host);
    if (o.result.meta === 'flush_handlers') flush = true;
  }
  if (cut.length) {
    const run = play.run;
    if (run.interrupted) run.interrupted.hosts.push(...cut.filter((h) => !run.interrupted?.hosts.includes(h)));
    warn(play, `task '${task.name}' was interrupted on ${cut.join(', ')} (${interruptReason(ctx.signal)}); it may have partly run there`);
  }
  playEffects(play, task, failed);
  play.run.currentTask = undefined;
  ctx.bus.emit({ type: 'task_end', ts: now(), play: play.play.name, task: task.name, durationMs: Date.now() - started });
  if (flush && !play.ended) await flushHandlers(play);
  return failed;
}

/** --start-at-task, tags and --step decide whether the task runs at all (no events when not). */
async function selected(play: PlayState, task: EffectiveTask): Promise<boolean> {
  if (task.internal || task.handler) return true;
  const { options } = play.ctx;
  const run = play.run;
  if (run.startPending) {
    if (task.node.name !== options.startAtTask) return false;
    run.startPending = false;
  }
  if (!tagsSelect(task.tags, options.tags, options.skipTags)) return false;
  if (options.step && !run.stepAll && play.ctx.confirmStep) {
    const answer = await play.ctx.confirmStep(task.name);
    if (answer === 'no') return false;
    if (answer === 'continue') run.stepAll = true;
  }
  return true;
}

/** Registers, notifies, counts; returns true when the host's failure must leave the enclosing block. */
function apply(play: PlayState, task: EffectiveTask, o: HostOutcome): boolean {
  const state = play.run.host(o.host);
  const r = o.result;
  const node = task.node;
  // what a no_log task or a secret-named register produced stays masked wherever it is printed later
  if (task.noLog || (node.register && isSecretName(node.register))) play.ctx.bus.addSecrets(resultSecrets(r));
  if (node.register) state.facts[node.register] = r;
  if (r.facts && typeof r.facts === 'object') {
    Object.assign(state.facts, r.facts);
    for (const [k, v] of Object.entries(r.facts)) if (isSecretName(k)) play.ctx.bus.addSecrets(collectStrings(v));
  }
  if (r.abort) {
    play.run.aborted ??= `${o.host}: ${String(r.msg ?? `task '${task.name}' refused to run`)}`;
    return false;
  }
  if (r.meta === 'end_play') play.ended = true;
  if (r.meta === 'end_host') state.endedPlay = true;
  switch (o.status) {
    case 'unreachable':
      if (task.ignoreUnreachable) state.stats.ignored++;
      else {
        state.stats.unreachable++;
        state.unreachable = true;
      }
      return false;
    case 'failed':
      if (task.ignoreErrors) {
        state.stats.ignored++;
        return false;
      }
      if (!task.rescuable) {
        state.stats.failed++;
        play.batchFailed.add(o.host);
      }
      return true;
    case 'skipped':
      state.stats.skipped++;
      return false;
    case 'changed':
      state.stats.changed++;
      if (!(task.checkMode ?? play.ctx.options.check)) play.run.changes.push({ task: task.name, host: o.host });
      for (const name of node.notify ?? []) {
        let set = play.notified.get(name);
        if (!set) play.notified.set(name, (set = new Set()));
        set.add(o.host);
      }
      return false;
    default:
      state.stats.ok++;
      return false;
  }
}

/** any_errors_fatal and max_fail_percentage end the play for every host. */
function playEffects(play: PlayState, task: EffectiveTask, failed: Set<string>): void {
  const hard = [...failed].filter((h) => play.batchFailed.has(h));
  if (task.anyErrorsFatal && hard.length > 0) {
    play.ended = true;
    play.run.fatal = `any_errors_fatal: ${hard.join(', ')} failed in task '${task.name}'`;
    warn(play, `${play.run.fatal}; the play stops for every host and no later play runs`);
  }
  const max = play.play.max_fail_percentage;
  if (max !== undefined && play.batch.length > 0 && (play.batchFailed.size * 100) / play.batch.length > max && !play.ended) {
    play.ended = true;
    warn(play, `max_fail_percentage ${max}% exceeded (${play.batchFailed.size} of ${play.batch.length} hosts failed); the play stops`);
  }
}

function emitResult(play: PlayState, task: EffectiveTask, host: string, status: HostStatus, r: ModuleResult, durationMs: number, extra: Partial<HostResult>): void {
  const ignored = (status === 'failed' && (task.ignoreErrors || task.rescuable)) || (status === 'unreachable' && task.ignoreUnreachable);
  const event: HostResult = { type: 'host_result', ts: now(), play: play.play.name, task: task.name, host, status, durationMs, ...extra };
  if (ignored) event.ignored = true;
  if (typeof r.attempts === 'number') event.attempts = r.attempts;
  if (task.noLog) {
    event.result = { censored: CENSORED };
    event.msg = CENSORED;
  } else {
    if (r.msg !== undefined) event.msg = String(r.msg);
    const rec = recordsOf(r);
    if (rec?.reads.length) event.reads = rec.reads;
    if (rec?.changes.length) event.changes = rec.changes;
    if (r.commands) event.commands = r.commands;
    else if (rec?.changes.length) event.commands = rec.changes.map((c) => c.display);
    if (r.diff && play.ctx.options.diff) event.diff = r.diff;
    event.result = r;
  }
  play.ctx.bus.emit(event);
}

/**
 * A result the interrupt cut short: marked so by the call, or a failure that ended after the run's signal fired
 * (a failure that ended before it is the host's own; a guard's refusal always counts).
 */
function interrupted(play: PlayState, r: ModuleResult, endedAfterInterrupt: boolean): boolean {
  if (r.abort) return false;
  return r.interrupted === true || (endedAfterInterrupt && play.ctx.signal.aborted && (r.failed === true || r.unreachable === true));
}

export function warn(play: PlayState, msg: string, host?: string): void {
  play.ctx.bus.emit({ type: 'warning', ts: now(), msg, ...(host ? { host } : {}) });
}

export function now(): string {
  return new Date().toISOString();
}
