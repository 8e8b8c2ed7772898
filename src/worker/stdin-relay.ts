import type { StdinResult } from '../core/data-plane.js';
import { AetherError } from '../core/errors.js';

const END: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** The one body feeding a relay, and what its caller awaits. */
interface Feeder {
  readonly chunks: AsyncIterator<Uint8Array>;
  bytes: number;
  finished: boolean;
  resolve(result: StdinResult): void;
  reject(error: unknown): void;
}

/**
 * The stdin of one running command, fed by at most one body that arrives while it runs. The
 * driver pulls `stdin`, and each pull pulls the feeder's body: nothing is buffered here, so a
 * command that reads slowly slows the sender. Until a feeder comes, stdin stays open and empty.
 * Stdin closes when the body ends, when it fails (the feed then rejects with its error), or when
 * the command ends (`close`; an unfinished feed then rejects at once instead of hanging).
 */
export class StdinRelay {
  private feeder: Feeder | null = null;
  /** Why stdin takes no more (the command ended, or closed it), once it does not. */
  private closedBecause: string | null = null;
  /** Wakes a pull that waits for a feeder, when one comes or the command ends. */
  private wake: (() => void) | null = null;

  constructor(private readonly executionId: string) {}

  /** What the driver reads: single use, one pull at a time (as `for await` does). */
  readonly stdin: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: () => this.pull(),
      return: async () => {
        this.close('closed its stdin');
        return END;
      },
    }),
  };

  /**
   * Resolves with the bytes handed to the command once `body` ends and stdin is closed. A relay
   * takes one feeder, ever: stdin cannot be reopened once closed.
   */
  feed(body: AsyncIterable<Uint8Array>): Promise<StdinResult> {
    if (this.closedBecause !== null) {
      return Promise.reject(notRunning(this.executionId, `${this.closedBecause}; its stdin takes no more`));
    }
    if (this.feeder) {
      const what = this.feeder.finished
        ? 'had its stdin fed and closed already'
        : 'already has a stdin feeder';
      return Promise.reject(notRunning(this.executionId, what));
    }
    return new Promise<StdinResult>((resolve, reject) => {
      this.feeder = { chunks: body[Symbol.asyncIterator](), bytes: 0, finished: false, resolve, reject };
      this.wake?.();
    });
  }

  /**
   * The command ended, or closed its stdin (`because`, said of the execution): stdin takes no
   * more and an unfinished feed fails now.
   */
  close(because = 'ended'): void {
    if (this.closedBecause !== null) return;
    this.closedBecause = because;
    this.wake?.();
    const feeder = this.feeder;
    if (!feeder || feeder.finished) return;
    this.fail(
      feeder,
      notRunning(
        this.executionId,
        `${because} before all of its stdin was written (${feeder.bytes} bytes were)`,
      ),
    );
    // Lets the body's source go (a request stream is destroyed); it may still be mid-read.
    void feeder.chunks.return?.().catch(() => {});
  }

  private async pull(): Promise<IteratorResult<Uint8Array>> {
    while (this.closedBecause === null && !this.feeder) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
    const feeder = this.feeder;
    if (this.closedBecause !== null || !feeder || feeder.finished) return END;
    let step: IteratorResult<Uint8Array>;
    try {
      step = await feeder.chunks.next();
    } catch (error) {
      // The sender went away mid-body (a cut connection): the command sees end of input.
      this.fail(feeder, error);
      return END;
    }
    // The command ended while the body was read: `close` has answered the feeder.
    if (feeder.finished) return END;
    if (step.done) {
      feeder.finished = true;
      feeder.resolve({ bytes: feeder.bytes });
      return END;
    }
    feeder.bytes += step.value.byteLength;
    return { done: false, value: step.value };
  }

  private fail(feeder: Feeder, error: unknown): void {
    feeder.finished = true;
    feeder.reject(error);
  }
}

function notRunning(executionId: string, what: string): AetherError {
  return new AetherError('ERR_EXECUTION_NOT_RUNNING', `execution ${executionId} ${what}`);
}
