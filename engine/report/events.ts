// The typed events the executor emits and reporters consume; schemas/events.schema.json describes the same shapes.
import type { Location } from '../errors/index.js';
import type { FileDiff } from '../modules/define.js';
import type { ChangeRecord, ReadRecord } from '../modules/records.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

interface Base {
  /** ISO-8601 time of the event. */
  ts: string;
}

export interface RunStart extends Base {
  type: 'run_start';
  /** Unique per run: evidence files and directories of this run carry it in their names. */
  runId: string;
  playbooks: string[];
  check: boolean;
  diff: boolean;
  /** Present when host-key checking is off: every run says so. */
  warnings?: string[];
}
export interface PlayStart extends Base {
  type: 'play_start';
  play: string;
  hosts: string[];
  loc?: Location;
}
export interface TaskStart extends Base {
  type: 'task_start';
  play: string;
  task: string;
  module: string;
  hosts: string[];
  handler?: boolean;
  loc?: Location;
}
export interface HostResult extends Base {
  type: 'host_result';
  play: string;
  task: string;
  host: string;
  status: HostStatus;
  durationMs: number;
  /** failed but ignore_errors / rescued */
  ignored?: boolean;
  delegatedTo?: string;
  /** Loop item label, when the task loops. */
  item?: string;
  msg?: string;
  commands?: string[];
  diff?: FileDiff[];
  /** Facts the module read, with the values a plan holds the apply to (absent for no_log tasks). */
  reads?: ReadRecord[];
  /** Changes made, or in check mode planned, in order. */
  changes?: ChangeRecord[];
  /** The registered result, secrets removed; absent for no_log tasks. */
  result?: Record<string, unknown>;
  /** until/retries: which attempt this was. */
  attempts?: number;
}
export interface TaskEnd extends Base {
  type: 'task_end';
  play: string;
  task: string;
  durationMs: number;
}
export interface PlayEnd extends Base {
  type: 'play_end';
  play: string;
  durationMs: number;
}
export interface Warning extends Base {
  type: 'warning';
  msg: string;
  host?: string;
  task?: string;
}
export interface HostStats {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  rescued: number;
  ignored: number;
}
export interface Recap extends Base {
  type: 'recap';
  hosts: Record<string, HostStats>;
  exitCode: number;
  durationMs: number;
  /** Set when a guard aborted the run (or `interrupted`). */
  aborted?: string;
  /** When the run stopped early (aborted or interrupted): what it had changed by then, by task in order. */
  changes?: Array<{ task: string; hosts: string[] }>;
  /** Set when a signal stopped the run: which (SIGINT, SIGTERM, ...), the task running then, the hosts it was cut on. */
  interrupted?: { reason: string; task?: string; hosts: string[] };
}

export type RunEvent = RunStart | PlayStart | TaskStart | HostResult | TaskEnd | PlayEnd | Warning | Recap;

/** A reporter consumes events; one that throws is downgraded to a warning, never steering the run. */
export interface Reporter {
  readonly name: string;
  handle(event: RunEvent): void | Promise<void>;
  close?(): Promise<void>;
}
