// Mutable state of a run, a play and each host: facts, registered results, failures, stats, notifications.
import type { HostStats } from '../report/events.js';
import type { Playbook, PlayNode } from '../load/model.js';
import { newRunId } from '../modules/evidence.js';
import type { RunContext } from './context.js';
import { RunEnd } from './run-end.js';

/** One host across the whole run (facts and registered results survive from play to play, as in Ansible). */
export class HostState {
  /** set_fact, register and gathered facts: one layer above play vars. */
  readonly facts: Record<string, unknown> = {};
  /** Failed (not ignored, not rescued): the host takes no further part in the run. */
  failed = false;
  unreachable = false;
  /** meta: end_host — out of the current play only. */
  endedPlay = false;
  readonly stats: HostStats = { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 };

  constructor(readonly name: string) {}

  /** Still takes part in the current play. */
  get active(): boolean {
    return !this.failed && !this.unreachable && !this.endedPlay;
  }
}

/** The run: hosts, the abort reason, and the --start-at-task / --step switches. */
export class RunState {
  readonly hosts = new Map<string, HostState>();
  /** Set by a safety guard (module result abort) or an interrupt: everything stops. */
  aborted?: string;
  /** any_errors_fatal fired: the play ended for every host, and no later play runs (as in Ansible). */
  fatal?: string;
  /** --start-at-task: true until the named task is reached. */
  startPending: boolean;
  /** --step answered "continue": stop asking. */
  stepAll = false;
  /** This run's ID: names its evidence (backups, snapshots, data dirs moved aside) and its lock. */
  readonly id: string;
  readonly startedAt = new Date().toISOString();
  /** Cleanups modules registered (ctx.onRunEnd), run when the run ends in any way. */
  readonly end = new RunEnd();
  /** The task running now (for an interrupt's closing sentence). */
  currentTask?: string;
  /** Set on interrupt: what stopped the run and the task that was running then. */
  interrupted?: { reason: string; task?: string; hosts: string[] };
  /** Every change this run made, in order (check mode makes none): said when the run stops early. */
  readonly changes: Array<{ task: string; host: string }> = [];
  /** A change was made or, in check mode, planned (ctx.change): later reads and changes may depend on it. */
  changedSomething = false;

  constructor(readonly ctx: RunContext) {
    this.startPending = ctx.options.startAtTask !== undefined;
    this.id = ctx.runId ?? newRunId();
  }

  host(name: string): HostState {
    let h = this.hosts.get(name);
    if (!h) {
      h = new HostState(name);
      this.hosts.set(name, h);
    }
    return h;
  }

  get stopped(): boolean {
    return this.aborted !== undefined || this.fatal !== undefined || this.ctx.signal.aborted;
  }
}

/** One play (and its current serial batch). */
export class PlayState {
  /** end_play, any_errors_fatal, max_fail_percentage: no more tasks in this play. */
  ended = false;
  /** All hosts of the play (after --limit) and the current batch. */
  batch: string[] = [];
  /** Hosts of the current batch that failed for good (for max_fail_percentage). */
  readonly batchFailed = new Set<string>();
  /** handler name → hosts notified. */
  readonly notified = new Map<string, Set<string>>();
  varsFiles: Record<string, unknown> = {};

  constructor(
    readonly run: RunState,
    readonly playbook: Playbook,
    readonly play: PlayNode,
    readonly hosts: string[],
  ) {}

  get ctx(): RunContext {
    return this.run.ctx;
  }

  /** Hosts of `among` still taking part (not failed, unreachable or ended; play not ended; run not stopped). */
  activeOf(among: string[]): string[] {
    if (this.ended || this.run.stopped) return [];
    return among.filter((h) => this.run.host(h).active);
  }
}

/** Exit code bits: 2 failed, 4 unreachable, 8 aborted (an interrupt is 8 alone: no host is blamed for it). */
export function exitCodeOf(run: RunState): number {
  let code = 0;
  for (const h of run.hosts.values()) {
    if (h.stats.failed > 0) code |= 2;
    if (h.stats.unreachable > 0) code |= 4;
  }
  if (run.aborted !== undefined || run.ctx.signal.aborted) code |= 8;
  return code;
}

/** What stopped the run, as said to the user: the signal name the CLI gave the abort, else "an interrupt". */
export function interruptReason(signal: AbortSignal): string {
  return typeof signal.reason === 'string' && signal.reason ? signal.reason : 'an interrupt';
}
