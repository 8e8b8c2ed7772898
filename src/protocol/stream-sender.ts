/**
 * Host side of sending one stream (an upload's body, streamed stdin): cuts the source into
 * `data` frames of at most DATA_CHUNK_BYTES and sends them only as far as the agent's credit
 * goes, so a slow guest slows the source instead of growing a buffer anywhere.
 */
import { AetherError } from '../core/errors.js';
import { DATA_CHUNK_BYTES, type HostMessage, INITIAL_WINDOW_BYTES } from './messages.js';

/** The empty payload of a stream's last frame. */
const NO_BYTES = new Uint8Array(0);

export type PumpOutcome = 'ended' | 'stopped';

export class StreamSender {
  private credit = INITIAL_WINDOW_BYTES;
  private stopped = false;
  private wake: (() => void) | null = null;
  private sent = 0;

  /**
   * @param post sends one frame (or drops it when the connection is gone)
   * @param onWaiting told when the sender starts and stops waiting for credit (stall deadlines)
   */
  constructor(
    private readonly id: string,
    private readonly post: (message: HostMessage) => void,
    private readonly onWaiting: (waiting: boolean) => void = () => {},
  ) {}

  /** True once `stop()` was called: no frame may follow. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Payload bytes sent so far. */
  get bytesSent(): number {
    return this.sent;
  }

  /** Bytes sent that the agent has not yet granted back: never more than the window. */
  get unacknowledged(): number {
    return INITIAL_WINDOW_BYTES - this.credit;
  }

  /**
   * Sends `source` and then the `end` frame; 'stopped' when `stop()` came first (no end sent).
   * Rejects with the source's own error (the caller decides what that means for the stream).
   */
  async pump(source: AsyncIterable<Uint8Array>): Promise<PumpOutcome> {
    for await (const chunk of source) {
      if (this.stopped) return 'stopped';
      if (!(chunk instanceof Uint8Array)) {
        throw new AetherError('ERR_VALIDATION', 'a stream source must yield Uint8Array chunks');
      }
      let offset = 0;
      while (offset < chunk.length) {
        if (!(await this.creditAvailable())) return 'stopped';
        const size = Math.min(this.credit, DATA_CHUNK_BYTES, chunk.length - offset);
        const part = chunk.subarray(offset, offset + size);
        this.credit -= size;
        this.sent += size;
        offset += size;
        this.post({ type: 'data', id: this.id, data: part });
      }
    }
    if (this.stopped) return 'stopped';
    this.post({ type: 'data', id: this.id, data: NO_BYTES, end: true });
    return 'ended';
  }

  /** The agent consumed `bytes` more. */
  grant(bytes: number): void {
    this.credit += bytes;
    this.wake?.();
  }

  /** No more frames: the stream ended or was abandoned. A pending `pump` returns 'stopped'. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async creditAvailable(): Promise<boolean> {
    if (this.credit > 0 || this.stopped) return !this.stopped;
    this.onWaiting(true);
    try {
      while (this.credit <= 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
      }
    } finally {
      this.onWaiting(false);
    }
    return !this.stopped;
  }
}
