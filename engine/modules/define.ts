// The module contract: a name, a schema that is the single source of argument truth, and a run function.
import type { Location } from '../errors/index.js';
import type { BecomeSpec, Connection } from '../connection/types.js';
import type { Command } from '../connection/command.js';
import type { ExecResult, PutOptions } from '../connection/types.js';
import type { Fact, FactArgs } from '../facts/fact.js';

/** What a module gets for one host and one (loop) item. */
export interface ModuleContext {
  /** Inventory name of the host the task targets (or the delegate). */
  host: string;
  /** The host's live connection (the delegate's with delegate_to). Lazily opened: modules with `local: true` never touch it. */
  conn: Connection;
  check: boolean;
  diff: boolean;
  /** The host's variables as seen by this task (facts, registered results, loop item included). Read-only. */
  vars: Readonly<Record<string, unknown>>;
  /** Folder of the playbook: relative `src` / template paths resolve from here. */
  playbookDir: string;
  /** Render a Handlebars template text with this host's variables (strict). `origin` names it in errors. */
  render(text: string, origin?: string): string;
  /** Evaluate a bare condition expression with this host's variables. */
  evaluate(expr: string): unknown;
  /**
   * Reads a fact (engine/facts) now: always runs, also in check mode, and is recorded with its value, so plans show
   * what a change was decided on and apply can hold the live value to the planned one. Never cached.
   */
  read<T, A>(fact: Fact<T, A>, ...arg: FactArgs<A>): Promise<T>;
  /**
   * Makes a change, or in check mode only records it: resolves with the command's result when it ran, `undefined`
   * when it was only planned (its outcome is known after it runs). `why` is shown in plans and reports.
   */
  change(step: Change, options: { why: string }): Promise<ExecResult | undefined>;
  /** Run a command on the host with the task's become, environment and timeout applied (prefer read/change). */
  exec(command: Command | string, options?: { stdin?: string | Buffer; timeoutMs?: number; become?: BecomeSpec }): ReturnType<Connection['exec']>;
  become?: BecomeSpec;
  environment?: Record<string, string>;
  timeoutMs?: number;
  signal: AbortSignal;
  /** Verbose line (shown with -v). Never pass a secret. */
  log(message: string): void;
  /** Where the task is, for errors. */
  taskLocation?: Location;
  taskName: string;
  /** Whether stdin is an interactive terminal (pause, prompts). */
  interactive: boolean;
  /** Show `question` and resolve with the line typed (only called when `interactive`). Absent: the module reads the process's stdin. */
  prompt?(question: string): Promise<string>;
  /** The run this call belongs to (for records that name it, such as a lock's holder). */
  run: RunInfo;
  /**
   * Registers `cleanup` to run once when the run ends in any way (end, failure, guard abort, interrupt), before the
   * connections close. It gets its own timeout signal (the run's may have fired); a failure becomes a warning.
   */
  onRunEnd(what: string, cleanup: RunCleanup): void;
  /** A warning event, shown in every output mode (not only with -v). Never pass a secret. */
  warn(message: string): void;
}

/** What `ctx.change` does: a command on the host, a file put onto it, or a step on the controller. */
export type Change =
  | { command: Command; stdin?: string | Buffer; timeoutMs?: number; become?: BecomeSpec }
  | { put: string; content: Buffer; options?: PutOptions; sha256?: string }
  | { local: string; run(): Promise<void> };

/** Identity of a run, the same for every task of it. */
export interface RunInfo {
  /** Unique per run: start time to the millisecond + random. */
  id: string;
  /** The playbook file of the task. */
  playbook: string;
  /** ISO time the run started. */
  startedAt: string;
  /** `ringmaster run --break-lock`: a lock held by another run may be broken. */
  breakLock: boolean;
}

/** A run-end cleanup; `signal` aborts when its time is up. */
export type RunCleanup = (signal: AbortSignal) => Promise<void>;

export interface FileDiff {
  path: string;
  before: string;
  after: string;
}

/** What a module reports; every extra key is available to `register`. */
export interface ModuleResult {
  changed: boolean;
  failed?: boolean;
  skipped?: boolean;
  msg?: string;
  /** Commands run, or in check mode the commands that would run (display form, secrets masked). */
  commands?: string[];
  diff?: FileDiff[];
  rc?: number | null;
  stdout?: string;
  stderr?: string;
  /** set_fact: variables to add to the host. */
  facts?: Record<string, unknown>;
  /** meta: a control action for the executor. */
  meta?: 'flush_handlers' | 'end_play' | 'end_host' | 'noop';
  /** A safety guard refused: the run is aborted with exit code 8. */
  abort?: boolean;
  [key: string]: unknown;
}

/** A module as registered. `A` is its argument type, generated from its schema. */
export interface ModuleDefinition<A = Record<string, unknown>> {
  name: string;
  /** One sentence: what it does. */
  description: string;
  /** Path of its JSON Schema relative to schemas/, e.g. 'modules/command.json'. */
  schema: string;
  /** Key that a free-form string argument maps to (`command: ls -l` → `{cmd: 'ls -l'}`). */
  freeForm?: string;
  /** In check mode, run() is still called with ctx.check = true and must change nothing. */
  supportsCheckMode: boolean;
  /** Running it twice changes nothing the second time. */
  idempotent: boolean;
  /** Runs on the controller only; never opens a connection (debug, set_fact, assert…). */
  local?: boolean;
  /** Its argument names become facts (set_fact): the pre-flight leaves variables of those names to the run. */
  factsFromArgs?: boolean;
  /** A YAML task using it, shown by `ringmaster modules NAME` and checked by the meta-test. */
  example: string;
  run(ctx: ModuleContext, args: A): Promise<ModuleResult>;
}

/** Identity helper that fixes the argument type of a module. */
export function defineModule<A>(def: ModuleDefinition<A>): ModuleDefinition<A> {
  return def;
}
