// The fact contract: a read-only command and a parser of its output; one file per fact.
import type { Command } from '../connection/command.js';

/** A fact is read when a task needs it, never cached across a change. */
export interface Fact<T> {
  name: string;
  command(vars: Record<string, unknown>, endpoints?: string[]): Command;
  /** Parse the command's output; throw RingError with the reason when it cannot be understood. */
  parse(stdout: string, stderr: string, code: number | null): T;
}
