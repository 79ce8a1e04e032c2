// One play: its hosts (pattern ∩ --limit), vars_files, serial batches, fact gathering, sections and handler flushes.
import { RingError } from '../errors/index.js';
import type { Playbook, PlayNode } from '../load/model.js';
import { batchesOf } from './batches.js';
import { gatherTask, GATHER_FACTS } from './facts.js';
import { flushHandlers } from './handlers.js';
import { effectiveTask, playScope } from './scope.js';
import { PlayState, type RunState } from './state.js';
import { now, runTask, warn } from './task-step.js';
import { IMPLICIT_LOCALHOST, hostView, secretValues } from './vars.js';
import { runNodes } from './walk.js';

/** Hosts of a play: its pattern (implicit localhost allowed) ∩ --limit, minus hosts already out of the run. */
export function playHosts(run: RunState, play: PlayNode): string[] {
  const ctx = run.ctx;
  let hosts = ctx.matchHosts(ctx.inventory, play.hosts);
  if (hosts.length === 0 && play.hosts.trim() === IMPLICIT_LOCALHOST) hosts = [IMPLICIT_LOCALHOST];
  if (ctx.options.limit) {
    const limit = new Set(limitHosts(run, ctx.options.limit));
    hosts = hosts.filter((h) => limit.has(h));
  }
  return hosts.filter((h) => !run.host(h).failed && !run.host(h).unreachable);
}

/** --limit's hosts; a limit matching nothing is a usage error naming the pattern. */
export function limitHosts(run: RunState, pattern: string): string[] {
  const ctx = run.ctx;
  const hosts = ctx.matchHosts(ctx.inventory, pattern);
  if (hosts.length === 0 && pattern.trim() === IMPLICIT_LOCALHOST) return [IMPLICIT_LOCALHOST];
  if (hosts.length === 0) throw new RingError('E_LIMIT_NO_MATCH', `--limit '${pattern}' matches no host of the inventory`);
  return hosts;
}

export async function runPlay(run: RunState, playbook: Playbook, play: PlayNode): Promise<void> {
  const ctx = run.ctx;
  const started = Date.now();
  const hosts = playHosts(run, play);
  const state = new PlayState(run, playbook, play, hosts);
  ctx.bus.emit({ type: 'play_start', ts: now(), play: play.name, hosts, loc: play.loc });
  if (hosts.length === 0) warn(state, `play '${play.name}': no hosts matched '${play.hosts}'${ctx.options.limit ? ` with --limit '${ctx.options.limit}'` : ''}; skipping it`);
  for (const file of play.vars_files) Object.assign(state.varsFiles, await ctx.loadVarsFile(file));
  // every inventory host, not only the play's: `hostvars.db1.db_password` is readable from any play
  for (const h of new Set([...ctx.inventory.hosts.keys(), ...hosts])) ctx.bus.addSecrets(secretValues(hostView(state, h)));
  for (const batch of batchesOf(hosts, play.serial)) {
    if (state.ended || run.stopped) break;
    await runBatch(state, batch);
    if (batch.every((h) => run.host(h).failed || run.host(h).unreachable)) {
      if (play.serial.length > 0 && !state.ended) warn(state, `every host of the batch ${batch.join(', ')} failed; the play stops`);
      state.ended = true;
    }
  }
  for (const h of hosts) run.host(h).endedPlay = false;
  ctx.bus.emit({ type: 'play_end', ts: now(), play: play.name, durationMs: Date.now() - started });
}

async function runBatch(state: PlayState, batch: string[]): Promise<void> {
  state.batch = batch;
  state.batchFailed.clear();
  const scope = playScope(state.play);
  if (state.play.gather_facts) {
    const task = { ...effectiveTask(gatherTask(state.play.loc), scope), internal: GATHER_FACTS, tags: ['always'], checkMode: false };
    const failed = await runTask(state, task, state.activeOf(batch));
    for (const h of failed) state.run.host(h).failed = true;
  }
  for (const section of [state.play.pre_tasks, state.play.tasks, state.play.post_tasks]) {
    if (state.ended || state.run.stopped) break;
    await runNodes(state, section, batch, scope);
    await flushHandlers(state);
  }
}
