// STUB (owned by the report room): choosing reporters and fanning events out to them.
import type { Reporter, RunEvent } from './events.js';

export interface ReportOptions {
  output: 'auto' | 'listr' | 'plain' | 'json';
  junitFile?: string;
  verbose: number;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Values (secrets) that must be masked wherever they would appear. */
  secrets: string[];
}

/** Fans events out to reporters; a reporter that throws becomes a warning and is dropped, the run goes on. */
export class EventBus {
  constructor(readonly reporters: Reporter[]) {}
  emit(event: RunEvent): void {
    void event;
  }
  /** Values learnt during the run (no_log results, secret variables) that must be masked from now on. */
  addSecrets(values: string[]): void {
    void values;
  }
  async close(): Promise<void> {}
}

export function createReporters(options: ReportOptions): Reporter[] {
  void options;
  return [];
}
