/**
 * What one attached client is sent: a queue of terminal events it pulls at its own pace. The
 * session waits (`ready`) while a client's queue holds more than a high-water mark, which holds
 * back the guest's output through the agent's window: a slow client slows the command, and
 * nothing here grows past the mark plus one chunk.
 */
import type { TerminalEvent } from '../../core/terminal.js';

/** Queued output beyond which the session stops taking output from the guest. */
export const CLIENT_HIGH_WATER_BYTES = 256 * 1024;

export class ClientFeed implements AsyncIterable<TerminalEvent> {
  private queue: TerminalEvent[] = [];
  private queuedBytes = 0;
  private ended = false;
  private wakeReader: (() => void) | null = null;
  private drainedWaiters: (() => void)[] = [];

  offer(event: TerminalEvent): void {
    if (this.ended) return;
    this.queue.push(event);
    if (event.type === 'output') this.queuedBytes += event.data.length;
    this.wakeReader?.();
  }

  /** Resolves once this client has room for more output (at once when it has, or it left). */
  ready(): Promise<void> {
    if (this.ended || this.queuedBytes <= CLIENT_HIGH_WATER_BYTES) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  /** No more events: the reader sees the end once it has read what is queued. */
  end(): void {
    this.ended = true;
    this.wakeReader?.();
    this.releaseWaiters();
  }

  /** The client left: what is queued is dropped. */
  drop(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TerminalEvent> {
    while (true) {
      const event = this.queue.shift();
      if (event) {
        if (event.type === 'output') {
          this.queuedBytes -= event.data.length;
          if (this.queuedBytes <= CLIENT_HIGH_WATER_BYTES) this.releaseWaiters();
        }
        yield event;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
      this.wakeReader = null;
    }
  }

  private releaseWaiters(): void {
    const waiters = this.drainedWaiters;
    this.drainedWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
