/**
 * Keeping a warm pool full: members are made one at a time in the background, with backoff
 * while making fails, and handed out oldest first. Shared by the process and qemu pools; what a
 * member is, and how one is made, checked and discarded, is theirs.
 */

export interface PoolFillerOptions<Member> {
  /** Members kept; 0 turns the pool off. */
  size: number;
  make(): Promise<Member>;
  discard(member: Member): Promise<void>;
  /** The wait after a failure doubles from `minMs` up to `maxMs`; a success resets it. */
  backoff: { minMs: number; maxMs: number };
  /** Awaited at the start of every fill run. */
  beforeRun?(): Promise<void>;
  /**
   * Awaited before each make: spawning blocks the thread for a few ms, so the caller that just
   * took a member finishes first.
   */
  pauseMs?: number;
  onFailure(error: unknown, retryInMs: number): void;
}

export class PoolFiller<Member> {
  private readonly idle: Member[] = [];
  private closed = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Makes that failed so far, and the latest error, for a caller waiting for the pool. */
  failures = 0;
  lastFailure: unknown = null;

  constructor(private readonly options: PoolFillerOptions<Member>) {}

  /** Idle members now. */
  get size(): number {
    return this.idle.length;
  }

  /** The idle members, oldest first (to read; `take` hands one out). */
  get members(): readonly Member[] {
    return this.idle;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True while the pool wants more members (on, open and not full). */
  get short(): boolean {
    return !this.closed && this.idle.length < this.options.size;
  }

  /** Starts filling in the background unless off, closed, full or already filling; never throws. */
  fill(): void {
    if (this.options.size === 0 || this.closed || this.running) return;
    this.running = this.run().finally(() => {
      this.running = null;
      // A member taken between the loop's last check and here must not leave the pool short.
      if (this.short) this.fill();
    });
  }

  /** The current fill run, or at once when none runs. */
  async filling(): Promise<void> {
    await this.running;
  }

  /** The oldest idle member, if any (the caller checks it still lives); filling resumes. */
  take(): Member | undefined {
    const member = this.idle.shift();
    if (member !== undefined) this.fill();
    return member;
  }

  /** Stops filling and discards every idle member. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
    await Promise.all(this.idle.splice(0).map((member) => this.options.discard(member)));
  }

  private async run(): Promise<void> {
    const { backoff: limits, pauseMs } = this.options;
    await this.options.beforeRun?.();
    let backoff = 0;
    while (this.short) {
      if (backoff > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          timer.unref(); // a failing host must not keep a process alive that is done otherwise
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
        if (this.closed) break;
      }
      if (pauseMs !== undefined) {
        await new Promise<void>((resolve) => setTimeout(resolve, pauseMs));
        if (this.closed) break;
      }
      try {
        const member = await this.options.make();
        if (this.closed) {
          await this.options.discard(member);
          break;
        }
        this.idle.push(member);
        backoff = 0;
      } catch (error) {
        this.failures++;
        this.lastFailure = error;
        backoff = Math.min(Math.max(backoff * 2, limits.minMs), limits.maxMs);
        this.options.onFailure(error, backoff);
      }
    }
  }
}
