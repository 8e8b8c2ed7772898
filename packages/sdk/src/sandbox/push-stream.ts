/**
 * Bytes pushed by one side and pulled by a request body: what `sendStdin` writes goes out on one
 * long streamed request, in order, each write resolving once the request took it.
 */
export class PushStream implements AsyncIterable<Uint8Array> {
  readonly #queue: { data: Uint8Array; taken: () => void }[] = [];
  #ended = false;
  #wake: (() => void) | null = null;

  /** Resolves once the bytes were taken by the request (backpressure), not when they arrived. */
  push(data: Uint8Array): Promise<void> {
    if (this.#ended) return Promise.reject(new Error('stdin is already closed'));
    return new Promise((taken) => {
      this.#queue.push({ data, taken });
      this.#wake?.();
    });
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  get ended(): boolean {
    return this.#ended;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = this.#queue.shift();
      if (next) {
        yield next.data;
        next.taken();
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
