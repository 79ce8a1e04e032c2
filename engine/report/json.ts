// The JSON Lines reporter: one event object per line, exactly the shapes of events.ts (schemas/events.schema.json).
import type { Reporter, RunEvent } from './events.js';

export class JsonReporter implements Reporter {
  readonly name = 'json';
  constructor(private readonly stdout: NodeJS.WritableStream) {}

  handle(event: RunEvent): void {
    this.stdout.write(`${JSON.stringify(event)}\n`);
  }
}
