/**
 * Streamed stdin of one command: `data` frames from the host written to the child's stdin, each
 * granted back as credit only once the pipe took it (the write callback), so a command that does
 * not read stops the host instead of growing our memory. Frames that come before the child is
 * spawned wait here (at most a window of them).
 */
import type { Writable } from 'node:stream';
import { ReceiveWindow } from '../protocol/flow-window.js';

export class StdinSink {
  private readonly window = new ReceiveWindow();
  private waiting: Uint8Array[] = [];
  private ended = false;
  private stdin: Writable | null = null;

  /** @param grant sends a `credit` frame for this command */
  constructor(private readonly grant: (bytes: number) => void) {}

  /** Hands the child's stdin over; what came early is written now. */
  attach(stdin: Writable): void {
    this.stdin = stdin;
    for (const chunk of this.waiting) this.write(chunk);
    this.waiting = [];
    if (this.ended) stdin.end();
  }

  /** False when the host sent past its credit (the caller drops the stream). */
  push(data: Uint8Array, end: boolean): boolean {
    if (this.ended) return true; // after the end: late, ignored
    if (!this.window.accept(data.length)) return false;
    if (data.length > 0) {
      const chunk = data;
      if (this.stdin) this.write(chunk);
      else this.waiting.push(chunk);
    }
    if (end) {
      this.ended = true;
      this.stdin?.end();
    }
    return true;
  }

  /** No more input will be taken (the command ended, or the stream was dropped). */
  close(): void {
    this.ended = true;
    this.waiting = [];
    this.stdin?.destroy();
  }

  private write(chunk: Uint8Array): void {
    this.stdin!.write(chunk, (error) => {
      // A command that closed its stdin (EPIPE) gets no more: the host waits for the exit.
      if (error) return;
      const bytes = this.window.consumed(chunk.length);
      if (bytes > 0) this.grant(bytes);
    });
  }
}
