/**
 * Bytes pushed by one side and pulled by a request body: what `sendStdin` writes goes out on one
 * long streamed request, in order, each write resolving once the request took it. When the
 * request ends first (the command ended, the connection failed), `abandon` fails every write not
 * taken and every later one, so no writer waits for a reader that is gone.
 */
export class PushStream implements AsyncIterable<Uint8Array> {
  readonly #queue: { data: Uint8Array; taken: () => void; refused: (error: Error) => void }[] = [];
  #ended = false;
  #failure: Error | null = null;
  #wake: (() => void) | null = null;

  /** `closed` makes the error of a write after `end`. */
  constructor(private readonly closed: () => Error = () => new Error('the stream is closed')) {}

  /** Resolves once the bytes were taken by the request (backpressure), not when they arrived. */
  push(data: Uint8Array): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.reject(this.closed());
    return new Promise((taken, refused) => {
      this.#queue.push({ data, taken, refused });
      this.#wake?.();
    });
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** The request is over: writes not taken fail with `error`, and so does every later one. */
  abandon(error: Error): void {
    this.#failure ??= error;
    this.#ended = true;
    for (const waiting of this.#queue.splice(0)) waiting.refused(this.#failure);
    this.#wake?.();
  }

  get ended(): boolean {
    return this.#ended;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = this.#queue.shift();
      if (next) {
        let taken = false;
        try {
          yield next.data;
          taken = true;
        } finally {
          // The reader stopped without asking for more: this write was not taken after all.
          if (taken) next.taken();
          else if (this.#failure) next.refused(this.#failure);
          else this.#queue.unshift(next);
        }
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }
}
