/**
 * Host-side state of one port tunnel (`connect`): resolves with a Duplex once the agent has
 * connected to the app. Writes go out as `data` frames only within the agent's credit, and a
 * write's callback waits for that credit, so the writer feels the app's pace as backpressure.
 * Reads grant the agent credit only as the consumer takes the bytes, so a consumer that stops
 * reading stops the app. `end()` half-closes towards the app, `destroy()` cancels the tunnel.
 * An agent that sends past its credit is hostile: the stream is destroyed with ERR_AGENT_PROTOCOL,
 * never buffered.
 */
import { Duplex } from 'node:stream';
import { AetherError } from '../core/errors.js';
import { ReceiveWindow } from './flow-window.js';
import { type AgentMessage, DATA_CHUNK_BYTES, type HostMessage, INITIAL_WINDOW_BYTES } from './messages.js';

/** Well below the window, so a drained buffer always frees a grant's worth (see flow-window.ts). */
const READ_HIGH_WATER_MARK = 256 * 1024;
const NO_BYTES = new Uint8Array(0);

export interface PortTunnelCallOptions {
  id: string;
  port: number;
  signal: AbortSignal | undefined;
  /** Deadline for the agent's answer to `connect`; an open tunnel may be idle for as long as it likes. */
  connectTimeoutMs: number;
  post(message: HostMessage): void;
  /** Called once when nothing more is expected for this id, to forget it. */
  done(): void;
  resolve(stream: Duplex): void;
  reject(error: unknown): void;
}

/** A write that waits for credit: the rest of `chunk` from `offset`, and its callback. */
interface BlockedWrite {
  chunk: Uint8Array;
  offset: number;
  callback: (error?: Error | null) => void;
}

export class PortTunnelCall {
  private readonly window = new ReceiveWindow();
  /** What we may still send the agent. */
  private credit = INITIAL_WINDOW_BYTES;
  private stream: Duplex | null = null;
  private blocked: BlockedWrite | null = null;
  private received = 0;
  /** Bytes the consumer has taken, already reported to the window. */
  private counted = 0;
  private localEnded = false;
  private remoteEnded = false;
  private over = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.stop(this.options.signal?.reason, true);

  constructor(private readonly options: PortTunnelCallOptions) {}

  /** Call right before sending the `connect` request. */
  start(): void {
    const { signal, connectTimeoutMs, port } = this.options;
    if (signal?.aborted) {
      this.stop(signal.reason, false);
      return;
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.timer = setTimeout(
      () =>
        this.stop(
          new AetherError(
            'ERR_AGENT_UNREACHABLE',
            `agent did not answer a connection to port ${port} within ${connectTimeoutMs} ms`,
          ),
          true,
        ),
      connectTimeoutMs,
    );
  }

  onMessage(reply: AgentMessage): void {
    if (this.over) return;
    if (reply.type === 'error') {
      this.stop(new AetherError(reply.code, reply.message), false);
      return;
    }
    if (!this.stream) {
      if (reply.type === 'ok') {
        this.open();
        return;
      }
    } else if (reply.type === 'data') {
      this.onData(reply.data, reply.end === true);
      return;
    } else if (reply.type === 'credit') {
      this.credit += reply.bytes;
      this.pump();
      return;
    } else if (reply.type === 'ok' && this.remoteEnded) {
      // Both directions ended and the guest's socket closed: nothing more will come.
      this.end(false);
      return;
    }
    this.stop(
      new AetherError(
        'ERR_AGENT_PROTOCOL',
        `unexpected "${reply.type}" in the tunnel to port ${this.options.port}`,
      ),
      true,
    );
  }

  /** The connection failed. */
  fail(error: unknown): void {
    this.stop(error, false);
  }

  private open(): void {
    clearTimeout(this.timer);
    const { id } = this.options;
    const stream = new Duplex({
      allowHalfOpen: true,
      readableHighWaterMark: READ_HIGH_WATER_MARK,
      // As for a download body: a tick later the buffer shows what the read took.
      read: () => process.nextTick(() => this.grantConsumed()),
      write: (chunk: Buffer, _encoding, callback) => {
        this.blocked = { chunk, offset: 0, callback };
        this.pump();
      },
      final: (callback) => {
        this.localEnded = true;
        this.options.post({ type: 'data', id, data: NO_BYTES, end: true });
        callback();
      },
      destroy: (error, callback) => {
        // The consumer gave up (or we failed the stream). Both ways ended: the agent closes on its own.
        if (!this.over) this.end(!(this.localEnded && this.remoteEnded));
        callback(error);
      },
    });
    this.stream = stream;
    this.options.resolve(stream);
  }

  /** Sends what a blocked write still holds, as far as the credit goes. */
  private pump(): void {
    const blocked = this.blocked;
    if (!blocked || this.over) return;
    const { chunk } = blocked;
    while (blocked.offset < chunk.length && this.credit > 0) {
      const size = Math.min(this.credit, DATA_CHUNK_BYTES, chunk.length - blocked.offset);
      const part = chunk.subarray(blocked.offset, blocked.offset + size);
      this.credit -= size;
      blocked.offset += size;
      this.options.post({ type: 'data', id: this.options.id, data: part });
    }
    if (blocked.offset < chunk.length) return; // the rest waits for credit
    this.blocked = null;
    blocked.callback();
  }

  private onData(data: Uint8Array, end: boolean): void {
    const stream = this.stream!;
    if (this.remoteEnded || !this.window.accept(data.length)) {
      const why = this.remoteEnded ? 'data after its end' : 'data past its credit';
      this.stop(
        new AetherError('ERR_AGENT_PROTOCOL', `agent sent ${why} in the tunnel to port ${this.options.port}`),
        true,
      );
      return;
    }
    this.received += data.length;
    // A view into the decoder's buffer, which is not reused: no copy needed.
    if (data.length > 0) stream.push(data);
    if (end) {
      this.remoteEnded = true;
      stream.push(null);
      return;
    }
    this.grantConsumed();
  }

  /** What the consumer took since the last call counts towards a grant. */
  private grantConsumed(): void {
    if (this.over || this.remoteEnded || !this.stream) return;
    const consumed = this.received - this.stream.readableLength;
    const grant = this.window.consumed(consumed - this.counted);
    this.counted = consumed;
    if (grant > 0) this.options.post({ type: 'credit', id: this.options.id, bytes: grant });
  }

  /** Fails the call (before it opened) or the stream (after). */
  private stop(error: unknown, cancel: boolean): void {
    if (this.over) return;
    this.end(cancel);
    if (this.stream) this.stream.destroy(error as Error);
    else this.options.reject(error);
  }

  private end(cancel: boolean): void {
    this.over = true;
    this.blocked = null;
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (cancel) this.options.post({ type: 'cancel', id: this.options.id });
    this.options.done();
  }
}
