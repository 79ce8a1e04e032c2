// The executor's entry point: checks the run's inputs, runs every play of every playbook, emits the recap.
import { RingError, RingErrors } from '../errors/index.js';
import type { Node, Playbook } from '../load/model.js';
import type { HostStats } from '../report/events.js';
import type { RunContext } from './context.js';
import { preflight } from './preflight.js';
import { limitHosts, runPlay } from './play.js';
import { exitCodeOf, interruptReason, RunState } from './state.js';
import { now } from './task-step.js';
import { isSecretName } from '../inventory/secret-names.js';
import { collectStrings } from './vars.js';

/** The outcome of runPlaybooks. */
export interface RunResult {
  /** Bit flags: 2 a host failed, 4 a host was unreachable, 8 aborted (guard or interrupt). */
  exitCode: number;
  stats: Record<string, HostStats>;
  aborted?: string;
}

/**
 * Runs the playbooks in order with the linear strategy. Input problems (--limit matching nothing,
 * an unknown --start-at-task, --step without a prompt) throw RingError before anything runs.
 * Connections are closed at the end, also when interrupted.
 */
export async function runPlaybooks(playbooks: Playbook[], ctx: RunContext): Promise<RunResult> {
  const run = new RunState(ctx);
  precheck(run, playbooks);
  // Nothing runs unless every task renders for every host it targets (as far as it can before the run).
  const unrenderable = await preflight(run, playbooks);
  if (unrenderable.length) throw new RingErrors(unrenderable);
  const started = Date.now();
  const extraSecrets = Object.entries(ctx.options.extraVars).filter(([k]) => isSecretName(k));
  ctx.bus.addSecrets(extraSecrets.flatMap(([, v]) => collectStrings(v)));
  const onInterrupt = () => (run.interrupted ??= { reason: interruptReason(ctx.signal), ...(run.currentTask !== undefined ? { task: run.currentTask } : {}), hosts: [] });
  if (ctx.signal.aborted) onInterrupt();
  else ctx.signal.addEventListener('abort', onInterrupt, { once: true });
  ctx.bus.emit({ type: 'run_start', ts: now(), runId: run.id, playbooks: playbooks.map((p) => p.file), check: ctx.options.check, diff: ctx.options.diff, ...(ctx.warnings?.length ? { warnings: ctx.warnings } : {}) });
  try {
    for (const pb of playbooks) {
      for (const play of pb.plays) {
        if (run.stopped) break;
        await runPlay(run, pb, play);
      }
    }
  } finally {
    // Cleanups first: they need the connections (a lock is released on the host that took it).
    await run.end.runAll((msg) => ctx.bus.emit({ type: 'warning', ts: now(), msg }));
    ctx.signal.removeEventListener('abort', onInterrupt);
    await ctx.connections.closeAll();
  }
  if (ctx.signal.aborted && run.aborted === undefined) run.aborted = 'interrupted';
  const stats = Object.fromEntries([...run.hosts].map(([name, h]) => [name, { ...h.stats }]));
  const exitCode = exitCodeOf(run);
  const stoppedEarly = run.aborted !== undefined ? { aborted: run.aborted, changes: changesByTask(run) } : {};
  const interrupted = run.interrupted && ctx.signal.aborted ? { interrupted: run.interrupted } : {};
  ctx.bus.emit({ type: 'recap', ts: now(), hosts: stats, exitCode, durationMs: Date.now() - started, ...stoppedEarly, ...interrupted });
  return { exitCode, stats, ...(run.aborted ? { aborted: run.aborted } : {}) };
}

/** The run's changes grouped by task, in the order the tasks ran (a task run twice, e.g. a handler, is listed twice). */
function changesByTask(run: RunState): Array<{ task: string; hosts: string[] }> {
  const out: Array<{ task: string; hosts: string[] }> = [];
  for (const c of run.changes) {
    const last = out[out.length - 1];
    if (last && last.task === c.task) {
      if (!last.hosts.includes(c.host)) last.hosts.push(c.host);
    } else out.push({ task: c.task, hosts: [c.host] });
  }
  return out;
}

function precheck(run: RunState, playbooks: Playbook[]): void {
  const { options } = run.ctx;
  if (options.limit !== undefined) limitHosts(run, options.limit);
  if (options.step && !run.ctx.confirmStep) throw new RingError('E_USAGE', '--step needs an interactive terminal to ask before each task');
  if (options.forks < 1 || !Number.isInteger(options.forks)) throw new RingError('E_USAGE', `--forks must be a whole number ≥ 1, got ${options.forks}`);
  const name = options.startAtTask;
  if (name !== undefined) {
    const found = playbooks.some((pb) => pb.plays.some((p) => [p.pre_tasks, p.tasks, p.post_tasks].some((nodes) => hasTask(nodes, name))));
    if (!found) throw new RingError('E_START_AT_TASK', `--start-at-task '${name}': no task has that name`);
  }
}

function hasTask(nodes: Node[], name: string): boolean {
  return nodes.some((n) => (n.kind === 'task' ? n.name === name : hasTask(n.block, name) || hasTask(n.rescue, name) || hasTask(n.always, name)));
}
