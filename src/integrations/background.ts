import type { Logger } from '../core/logger.js';

/**
 * Work a webhook started after its answer went out: tracked, so closing waits for it (bounded)
 * instead of cutting a run off half-way, and logged when it fails, since nobody awaits it.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  start(what: string, work: () => Promise<void>): void {
    const done = work()
      .catch((error: unknown) => {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, `${what} failed`);
      })
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** How many are running now. */
  get size(): number {
    return this.running.size;
  }

  /** Waits for the running work, at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
