// The fact contract: a read-only command and a parser of its output; one file per fact.
import type { Command } from '../connection/command.js';

/**
 * A fact is read when a task needs it (`ctx.read`), never cached across a change. `A` is what it is read about:
 * endpoints for the etcd facts (undefined: the host's own client URL), a path for file facts.
 */
export interface Fact<T, A = string[] | undefined> {
  name: string;
  command(vars: Record<string, unknown>, ...arg: FactArgs<A>): Command;
  /** Parse the command's output; throw RingError with the reason when it cannot be understood. */
  parse(stdout: string, stderr: string, code: number | null, ...arg: FactArgs<A>): T;
  /** What the read is about, for plans and reports (default: the endpoints or path joined). */
  subject?(arg: A): string | undefined;
  /**
   * The part of the value a plan holds the apply to: identities and hashes (member IDs, peer URLs, leader, cluster
   * ID, a file's sha256), never revisions, sizes or timings that move by themselves. Default: the whole value.
   */
  plan?(value: T): unknown;
}

/** The arguments `ctx.read(fact, …)` takes for a fact: optional when the fact accepts undefined. */
export type FactArgs<A> = undefined extends A ? [arg?: A] : [arg: A];

/** Default subject: endpoints joined, a path as is. */
export function subjectOf<A>(fact: Fact<unknown, A>, arg: A): string | undefined {
  if (fact.subject) return fact.subject(arg);
  if (arg === undefined) return undefined;
  return Array.isArray(arg) ? arg.join(',') : String(arg);
}
