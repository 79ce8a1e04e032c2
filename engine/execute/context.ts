// The RunContext: everything the executor needs, passed in explicitly (no globals), so tests can inject fakes.
import type { ConnectionFactory } from '../connection/types.js';
import type { Location } from '../errors/index.js';
import type { Inventory } from '../load/model.js';
import type { ModuleDefinition } from '../modules/define.js';
import type { RunEvent } from '../report/events.js';
import type { TemplateEngine, TemplateOrigin } from '../template/engine.js';
import type { PlanGuard } from './module-io.js';

/** What the user asked for on the command line. */
export interface RunOptions {
  check: boolean;
  diff: boolean;
  /** `--limit` pattern, intersected with every play's hosts. */
  limit?: string;
  tags: string[];
  skipTags: string[];
  startAtTask?: string;
  /** Parallel hosts per task (default 10). */
  forks: number;
  step: boolean;
  extraVars: Record<string, unknown>;
  verbose: number;
  /** `--break-lock`: a lock (etcd_lock) held by another run is broken, with a warning, instead of refusing. */
  breakLock: boolean;
}

/** Where events go (the report room's EventBus satisfies it). */
export interface EventSink {
  emit(event: RunEvent): void;
  addSecrets(values: string[]): void;
}

/** Answer to a `--step` question. */
export type StepAnswer = 'yes' | 'no' | 'continue';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = ModuleDefinition<any>;

/** The executor's collaborators and inputs for one run. */
export interface RunContext {
  inventory: Inventory;
  options: RunOptions;
  bus: EventSink;
  /** Opens one connection per host (HostConnections in production, a fake in tests). */
  connections: ConnectionFactory;
  modules: ReadonlyMap<string, AnyModule>;
  templates: TemplateEngine;
  evaluate(expr: string, vars: object, origin?: TemplateOrigin): unknown;
  /** Inventory helpers (engine/inventory). */
  hostVars(inv: Inventory, host: string): Record<string, unknown>;
  groupMembers(inv: Inventory): Record<string, string[]>;
  matchHosts(inv: Inventory, pattern: string): string[];
  loadVarsFile(file: string): Promise<Record<string, unknown>>;
  /** Re-validates rendered module arguments (throws RingError); optional. */
  validateArgs?(module: string, args: Record<string, unknown>, where: { task: string; host: string; location?: Location }): void;
  /** Interrupt (SIGINT/SIGTERM): running tasks get it; the run ends as aborted. */
  signal: AbortSignal;
  /** stdin is a terminal. */
  interactive: boolean;
  /** `--step`: asks the person at the terminal. Required when options.step. */
  confirmStep?(task: string): Promise<StepAnswer>;
  /** Asks the person at the terminal (pause, prompts); passed to modules as ctx.prompt. */
  prompt?(question: string): Promise<string>;
  /** Shown in run_start (e.g. host-key checking is off). */
  warnings?: string[];
  /** -v lines. */
  log?(line: string): void;
  /** This run's ID (magic variable `ringmaster_run_id`, in run_start and in evidence names); default: a fresh one. */
  runId?: string;
  /** `ringmaster apply`: holds every read and change to the plan's (module-io.ts). */
  plan?: PlanGuard;
  /** Injected so tests do not really wait on delays, pauses and retries. */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
}

/** Defaults for RunOptions fields a caller leaves out. */
export function runOptions(partial: Partial<RunOptions> = {}): RunOptions {
  return {
    check: false,
    diff: false,
    tags: [],
    skipTags: [],
    forks: 10,
    step: false,
    extraVars: {},
    verbose: 0,
    breakLock: false,
    ...partial,
  };
}

/** Waits `ms` unless the signal fires first (then resolves early: the caller checks the signal). */
export function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
