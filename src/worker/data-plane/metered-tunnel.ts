/**
 * A port tunnel as the worker hands it on: the driver's connection with its bytes counted and an
 * idle deadline. Reads and writes pass straight through with the inner stream's backpressure
 * (nothing is buffered here beyond the stream's own high-water mark).
 */
import { Duplex } from 'node:stream';
import { AetherError } from '../../core/errors.js';
import type { StreamDirection } from '../../metrics/stream-metrics.js';

export interface MeteredTunnelOptions {
  /** Closes the tunnel after this long without a byte either way. */
  idleMs: number;
  onBytes(direction: StreamDirection, bytes: number): void;
  onClose(): void;
}

export class MeteredTunnel extends Duplex {
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly inner: Duplex,
    private readonly options: MeteredTunnelOptions,
  ) {
    super({ allowHalfOpen: true });
    inner.on('data', (chunk: Buffer) => {
      this.touch();
      options.onBytes('out', chunk.length);
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (error) => this.destroy(error));
    inner.on('close', () => {
      // An inner stream that closed without an error after both ends is a finished tunnel.
      if (!this.destroyed && !(this.readableEnded && this.writableFinished)) this.destroy();
    });
    this.once('close', () => {
      clearTimeout(this.idleTimer);
      options.onClose();
    });
    this.touch();
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    this.options.onBytes('in', chunk.length);
    this.inner.write(chunk, (error) => callback(error ?? null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    this.inner.destroy();
    callback(error);
  }

  private touch(): void {
    // Every chunk touches it: moving the one timer is far cheaper than a new one each time.
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.destroy(
        new AetherError(
          'ERR_TRANSFER_ABORTED',
          `the tunnel was idle for ${this.options.idleMs} ms and was closed`,
        ),
      );
    }, this.options.idleMs);
    this.idleTimer.unref();
  }
}
