// What a module call records through the module contract: the facts it read (with their values) and the changes it
// made or, in check mode, would make. Check mode, --diff, plans, apply's drift check and the evidence report are all
// built from these records, never from module-specific branches.

/** One fact read by `ctx.read` (always run, also in check mode). */
export interface ReadRecord {
  /** The fact's registered name (engine/facts), e.g. `etcd_members`. */
  fact: string;
  /** What it was read about (endpoints, a path…), display form; part of the key apply compares on. */
  subject?: string;
  /** The value a plan holds the apply to: the fact's stable projection (no revisions, sizes or timings). */
  value: unknown;
  /** Read after an earlier change of the run: apply does not hold it to the planned value (it depends on that change). */
  afterChange?: boolean;
}

/** One change made (or planned) through `ctx.change`. */
export interface ChangeRecord {
  /** Command line or file operation in display form, secrets as ***. */
  display: string;
  /** Why the module makes it (one sentence, shown in plans and reports). */
  why: string;
  /** Whether it ran (false: check mode, only planned). */
  ran: boolean;
  /** Exit code when it ran (null: killed or timed out). */
  code?: number | null;
  durationMs?: number;
  /** Planned after an earlier change of the run: its exact form is known only after that change. */
  afterChange?: boolean;
}
