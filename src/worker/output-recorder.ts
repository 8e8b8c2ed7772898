import type { OutputChunk, OutputStream } from '../core/output.js';
import type { AttemptFence } from '../core/store.js';
import type { HandlerContext } from './context.js';
import { persistently } from './persist.js';

/**
 * How often stored output catches up with what was published. Live readers get each chunk from
 * the event bus at once; the store is what late and resuming readers replay, and what fills a
 * gap when an event is lost, so it may lag a little but must not fall far behind.
 */
export const OUTPUT_FLUSH = { intervalMs: 50, bytes: 64 * 1024 };

/** Chunks per statement, well under PostgreSQL's 65 535 parameters (four per chunk). */
const MAX_BATCH_CHUNKS = 1000;

export interface OutputRecorderTarget {
  executionId: string;
  taskId: string;
  /** Chunk writes are refused once this attempt no longer holds the task. */
  fence: AttemptFence;
}

/**
 * Numbers an execution's (already capped) output as it arrives, publishes each chunk on the
 * event bus at once and stores the chunks in batches, in order, one batch at a time. `finish`
 * stores the rest and must be awaited before the execution is completed: a complete execution
 * has all its chunks in the store.
 */
export class OutputRecorder {
  private seq = 0;
  private readonly offsets: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  private pending: OutputChunk[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The chain of batch writes: each starts when the one before it has ended. */
  private writes: Promise<void> = Promise.resolve();
  /** The store refused a write: this attempt lost its task, or the execution is already complete. */
  private refused = false;
  private warned = false;

  constructor(
    private readonly ctx: HandlerContext,
    private readonly target: OutputRecorderTarget,
  ) {}

  record(stream: OutputStream, data: Buffer): void {
    if (this.refused || data.byteLength === 0) return;
    const chunk: OutputChunk = { seq: ++this.seq, stream, offset: this.offsets[stream], data };
    this.offsets[stream] += data.byteLength;
    void this.ctx.events.publish('execution.output', {
      executionId: this.target.executionId,
      taskId: this.target.taskId,
      stream,
      seq: chunk.seq,
      offset: chunk.offset,
      data: data.toString('base64'),
    });
    this.pending.push(chunk);
    this.pendingBytes += data.byteLength;
    if (this.pendingBytes >= OUTPUT_FLUSH.bytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), OUTPUT_FLUSH.intervalMs);
  }

  /** Stores what is left, retrying while the store is unreachable; never throws. */
  async finish(): Promise<void> {
    this.clearTimer();
    this.writes = this.writes.then(() => this.write(true));
    await this.writes;
  }

  /** Stops storing: this attempt's record will not be kept (its task runs again). */
  discard(): void {
    this.clearTimer();
    this.refused = true;
    this.pending = [];
  }

  private flush(): void {
    this.clearTimer();
    this.writes = this.writes.then(() => this.write(false));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async write(final: boolean): Promise<void> {
    while (!this.refused && this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH_CHUNKS);
      this.pendingBytes = this.pending.reduce((sum, c) => sum + c.data.byteLength, 0);
      if (!(await this.store(batch, final))) return;
    }
  }

  /** False when the batch was not stored: refused for good, or kept to try again later. */
  private async store(batch: OutputChunk[], final: boolean): Promise<boolean> {
    const { executionId, fence } = this.target;
    const append = () => this.ctx.store.appendExecutionOutput(executionId, batch, fence);
    try {
      const stored = final ? await persistently(this.ctx, 'execution output', append) : await append();
      if (!stored) this.discard();
      return stored;
    } catch (error) {
      if (final) {
        this.ctx.logger.error({ err: error, executionId }, 'could not store the last of an execution output');
        return false;
      }
      // Kept, in order, for the next flush: a batch is written whole or not at all.
      this.pending = [...batch, ...this.pending];
      this.pendingBytes += batch.reduce((sum, c) => sum + c.data.byteLength, 0);
      this.timer ??= setTimeout(() => this.flush(), OUTPUT_FLUSH.intervalMs * 4);
      if (!this.warned) {
        this.warned = true;
        this.ctx.logger.warn({ err: error, executionId }, 'could not store execution output yet; retrying');
      }
      return false;
    }
  }
}
