// Run-end cleanups: what modules register (a lock to release) to happen however the run ends: end, failure, abort, interrupt.
import type { RunCleanup } from '../modules/define.js';

/** How long one cleanup may take: bounded on its own, since the run's interrupt signal has usually fired already. */
export const CLEANUP_TIMEOUT_MS = 20_000;

/** The cleanups of one run, run once at its end. */
export class RunEnd {
  private readonly cleanups: Array<{ what: string; fn: RunCleanup }> = [];
  private done = false;

  add(what: string, fn: RunCleanup): void {
    // Registered after the end (a module still finishing after an interrupt): run it at once rather than never.
    if (this.done) void runOne({ what, fn }, () => undefined, CLEANUP_TIMEOUT_MS);
    else this.cleanups.push({ what, fn });
  }

  /**
   * Runs every cleanup, all at once (each touches its own host), each with its own timeout signal and never the
   * run's interrupt. A failing cleanup is a warning (`warn`): it must not hide the run's own outcome.
   */
  async runAll(warn: (msg: string) => void, timeoutMs = CLEANUP_TIMEOUT_MS): Promise<void> {
    this.done = true;
    const all = this.cleanups.splice(0).reverse();
    await Promise.all(all.map((c) => runOne(c, warn, timeoutMs)));
  }
}

async function runOne(c: { what: string; fn: RunCleanup }, warn: (msg: string) => void, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await c.fn(signal);
  } catch (e) {
    warn(`at the end of the run, ${c.what} failed: ${(e as Error)?.message ?? String(e)}`);
  }
}

