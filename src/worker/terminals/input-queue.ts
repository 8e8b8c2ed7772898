/**
 * A terminal's input, as the stdin stream its command reads: clients push what was typed, the
 * agent's stdin sender pulls it as the guest grants credit. A push resolves once the sender took
 * the chunk, so a client that types (or pastes) faster than the command reads waits instead of
 * growing a buffer here.
 */
interface Waiting {
  chunk: Uint8Array;
  taken(): void;
}

export class InputQueue implements AsyncIterable<Uint8Array> {
  private waiting: Waiting[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  /** Resolves when the command's stdin took `chunk`, or at once when the input is closed. */
  push(chunk: Uint8Array): Promise<void> {
    if (this.closed || chunk.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push({ chunk: Uint8Array.from(chunk), taken: resolve });
      this.wake?.();
    });
  }

  /** No more input: the iteration ends, pushes still waiting resolve. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting) w.taken();
    this.waiting = [];
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      const next = this.waiting.shift();
      if (next) {
        next.taken();
        yield next.chunk;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }
}
