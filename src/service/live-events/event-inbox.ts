import { AetherError } from '../../core/errors.js';

/**
 * The events a feed heard and has not handed on yet. Events arrive whenever the bus delivers
 * them, but leave only as fast as the client reads: past `capacity` waiting, the reader is too
 * slow to follow, and the inbox fails (ERR_RATE_LIMITED) instead of holding ever more.
 */
export class EventInbox<T> {
  private items: T[] = [];
  private failure: AetherError | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly capacity: number,
    /** Called once, at the moment the inbox overflows: the connection can be dropped at once. */
    private readonly onOverflow: (error: AetherError) => void,
  ) {}

  push(item: T): void {
    if (this.failure) return;
    if (this.items.length >= this.capacity) {
      this.failure = new AetherError(
        'ERR_RATE_LIMITED',
        `the client fell ${this.capacity} events behind: it reads too slowly to follow; reconnect and read the lists again`,
      );
      this.items = [];
      this.onOverflow(this.failure);
    } else {
      this.items.push(item);
    }
    this.notify();
  }

  /** The next item, waiting for one; null once `signal` aborts; throws once the inbox overflowed. */
  async take(signal: AbortSignal): Promise<T | null> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.items.length > 0) return this.items.shift()!;
      if (signal.aborted) return null;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          this.wake = null;
          resolve();
        };
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private notify(): void {
    this.wake?.();
  }
}
