// Counts open channels on one SSH connection; learns the server's session limit and queues beyond it.

/** A semaphore whose size shrinks to what the server allows (sshd MaxSessions) the first time it says no. */
export class ChannelSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** `limit` starts at OpenSSH's default MaxSessions; a refusal lowers it. */
  constructor(private limit = 10) {}

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    // After the limit was lowered, slots above it vanish instead of passing to a waiter.
    const next = this.active <= this.limit ? this.waiting.shift() : undefined;
    if (next) next();
    else this.active--;
  }

  /**
   * The server refused a channel that held a slot. With other channels open that is its session limit:
   * lower ours and return true so the caller queues again; alone, it is a real refusal (false).
   */
  refused(): boolean {
    const others = this.active - 1;
    if (others <= 0) return false;
    this.limit = Math.min(this.limit, others);
    this.release();
    return true;
  }

  /** Current learned limit (for -v and tests). */
  get size(): number {
    return this.limit;
  }
}
