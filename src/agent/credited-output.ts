/**
 * Output to the host that may go only as far as the host's credit: a terminal's output, the bytes
 * an app sends through a port tunnel. The source is paused as soon as the credit is used up (what
 * it already gave waits here: one read's worth), and while the session's connection is backed up,
 * so the producer (the command, the app) blocks on its own writes instead of our memory growing.
 */
import type { Readable } from 'node:stream';

/** What the session pauses while its connection is backed up. */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

export class CreditedOutput implements Pausable {
  private credit: number;
  private pending: Buffer[] = [];
  private throttled = false;
  private stopped = false;
  private onFlushed: (() => void) | null = null;

  /**
   * @param windowBytes the credit the host starts with
   * @param send sends one chunk (at most `maxChunkBytes`) to the host
   */
  constructor(
    private readonly source: Readable,
    windowBytes: number,
    private readonly maxChunkBytes: number,
    private readonly send: (chunk: Buffer) => void,
  ) {
    this.credit = windowBytes;
    source.on('data', (chunk: Buffer) => {
      if (this.stopped) return;
      this.pending.push(chunk);
      this.flush();
    });
  }

  /** Bytes read from the source and not yet sent for lack of credit. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** The host took `bytes` more. */
  grant(bytes: number): void {
    this.credit += bytes;
    this.flush();
  }

  /** The session's connection is backed up. */
  pause(): void {
    this.throttled = true;
    this.updateFlow();
  }

  resume(): void {
    this.throttled = false;
    this.updateFlow();
  }

  /** Calls `callback` once everything read so far is sent (at once when nothing waits). */
  whenFlushed(callback: () => void): void {
    if (this.pending.length === 0) callback();
    else this.onFlushed = callback;
  }

  /** Nothing more goes to the host: what waits is dropped, later data ignored; the source is left as it is. */
  stop(): void {
    this.stopped = true;
    this.pending = [];
    this.onFlushed = null;
  }

  private flush(): void {
    while (this.pending.length > 0 && this.credit > 0 && !this.stopped) {
      const head = this.pending[0]!;
      const size = Math.min(head.length, this.credit, this.maxChunkBytes);
      this.credit -= size;
      if (size === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(size);
      this.send(head.subarray(0, size));
    }
    this.updateFlow();
    if (this.pending.length === 0 && this.onFlushed) {
      const callback = this.onFlushed;
      this.onFlushed = null;
      callback();
    }
  }

  private updateFlow(): void {
    if (this.stopped) return;
    if (!this.throttled && this.credit > 0 && this.pending.length === 0) this.source.resume();
    else this.source.pause();
  }
}
