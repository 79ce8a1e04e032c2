// The event bus: masks secrets in each event, then delivers it, in order, to every live reporter.
import type { Reporter, RunEvent, Warning } from './events.js';
import { SecretMasker } from './mask.js';

/** Where createReporters leaves ReportOptions.secrets, so `new EventBus(createReporters(o))` masks them too. */
export const REPORT_SECRETS: unique symbol = Symbol('ringmaster.report.secrets');

/** A reporter array that may carry the secrets it was created with. */
export type ReporterList = Reporter[] & { [REPORT_SECRETS]?: string[] };

interface Slot {
  reporter: Reporter;
  queue: RunEvent[];
  busy: boolean;
  dead: boolean;
  idle: Array<() => void>;
}

/**
 * Fans events out to reporters; a reporter that throws (sync or async) becomes a warning to the others
 * and is dropped, the run goes on. Each reporter sees events in emission order: an async `handle` gets the
 * next event only after its promise settles, while a synchronous reporter is called at once.
 */
export class EventBus {
  readonly reporters: Reporter[];
  private readonly slots: Slot[];
  private readonly masker: SecretMasker;
  private closed = false;
  /** Warnings raised while an event is being fanned out wait until every reporter has that event. */
  private held: RunEvent[] | undefined;

  constructor(reporters: ReporterList, secrets: string[] = []) {
    this.reporters = [...reporters];
    this.slots = reporters.map((reporter) => ({ reporter, queue: [], busy: false, dead: false, idle: [] }));
    this.masker = new SecretMasker([...(reporters[REPORT_SECRETS] ?? []), ...secrets]);
  }

  /** Delivers an event (secrets masked) to every live reporter; never throws. */
  emit(event: RunEvent): void {
    if (this.closed) return;
    this.fanOut(this.masker.mask(event));
  }

  private fanOut(event: RunEvent): void {
    if (this.held !== undefined) {
      for (const slot of this.live()) this.deliver(slot, event);
      return;
    }
    const held: RunEvent[] = [];
    this.held = held;
    for (const slot of this.live()) this.deliver(slot, event);
    while (held.length > 0) {
      const next = held.shift() as RunEvent;
      for (const slot of this.live()) this.deliver(slot, next);
    }
    this.held = undefined;
  }

  /** A line written outside the event stream (`-v` detail) with every known secret masked. */
  maskText(text: string): string {
    return this.masker.maskText(text);
  }

  /** Values learnt during the run (no_log results, secret variables) that must be masked from now on. */
  addSecrets(values: string[]): void {
    this.masker.add(values);
  }

  /**
   * Resolves once every reporter has handled every event emitted so far. Await it before writing to the
   * terminal yourself (a --step or pause prompt): the listr reporter may still be drawing the last task.
   */
  async flush(): Promise<void> {
    await Promise.all(this.live().map((s) => this.whenIdle(s)));
  }

  /** Waits for every queued event, then closes each reporter (file writers first, the console last). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => this.whenIdle(s)));
    for (const slot of [...this.slots].reverse()) {
      if (slot.dead || !slot.reporter.close) continue;
      try {
        await slot.reporter.close();
        slot.dead = true; // closed: it must not receive a later warning
      } catch (e) {
        this.fail(slot, e);
        await Promise.all(this.live().map((s) => this.whenIdle(s)));
      }
    }
  }

  private live(): Slot[] {
    return this.slots.filter((s) => !s.dead);
  }

  private deliver(slot: Slot, event: RunEvent): void {
    if (slot.busy) {
      slot.queue.push(event);
      return;
    }
    this.call(slot, event);
  }

  /** Calls handle; a returned promise holds the slot busy (later events queue) until it settles. */
  private call(slot: Slot, event: RunEvent): void {
    let result: void | Promise<void>;
    try {
      result = slot.reporter.handle(event);
    } catch (e) {
      this.fail(slot, e);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      slot.busy = true;
      (result as Promise<void>).then(
        () => {
          slot.busy = false;
          this.drain(slot);
        },
        (e: unknown) => {
          slot.busy = false;
          this.fail(slot, e);
        },
      );
    } else {
      this.drain(slot);
    }
  }

  private drain(slot: Slot): void {
    while (!slot.dead && !slot.busy && slot.queue.length > 0) this.call(slot, slot.queue.shift() as RunEvent);
    if (slot.dead || (!slot.busy && slot.queue.length === 0)) this.wake(slot);
  }

  private wake(slot: Slot): void {
    const waiters = slot.idle.splice(0);
    for (const w of waiters) w();
  }

  private whenIdle(slot: Slot): Promise<void> {
    if (slot.dead || (!slot.busy && slot.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => slot.idle.push(resolve));
  }

  /** Drops the reporter and tells the others, so a broken reporter never steers the run. */
  private fail(slot: Slot, error: unknown): void {
    if (slot.dead) return;
    slot.dead = true;
    slot.queue = [];
    this.wake(slot);
    const why = error instanceof Error ? error.message : String(error);
    const warning: Warning = {
      type: 'warning',
      ts: new Date().toISOString(),
      msg: `reporter ${slot.reporter.name} failed: ${why}; it was turned off`,
    };
    const masked = this.masker.mask(warning);
    if (this.held) this.held.push(masked);
    else this.fanOut(masked);
  }
}
