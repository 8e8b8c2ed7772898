/**
 * The agent's end of a serial line: a virtio-serial port (`/dev/vportNpM`) in a microVM, whose
 * host end QEMU exposes as a Unix socket. The line outlives any one host connection, so this
 * stream never ends on its own: it is one long-lived Duplex the session reads and writes.
 *
 * Why plain fs calls: Node's net.Socket refuses a character device (ERR_INVALID_FD_TYPE) and
 * has no public way to poll one, so reads are blocking read(2)s on the libuv threadpool, one at a
 * time, and writes are write(2)s, one frame at a time (a frame is never interleaved). A blocked
 * read holds a threadpool thread (main.ts enlarges the pool), and process.exit() waits for it
 * forever, so main.ts ends the process with a signal instead.
 *
 * What the line does when no host is connected (virtio-serial): read() returns 0 at once (EOF)
 * and write() blocks until a host connects. So EOF is not an end: we read again after a short
 * backoff. A read error (EIO, ENODEV) reopens the device, also with backoff. A write that fails
 * drops the rest of its frame; the host resynchronises with a SYNC marker anyway.
 */
import { close, constants, open, read, write } from 'node:fs';
import { Duplex } from 'node:stream';

export interface SerialTransportOptions {
  /** The character device; opened O_RDWR|O_NOCTTY and reopened after a read error. */
  path?: string;
  /** An already open descriptor instead (tests pass one end of a socket pair); never reopened. */
  fd?: number;
  log(message: string): void;
  /** Backoff before reading again after EOF or an error: doubles from min to max. Default 20/250 ms. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

const READ_BYTES = 64 * 1024;
/** Frames queued for the line before the session pauses command output. */
const WRITE_HIGH_WATER_BYTES = 64 * 1024;

function openDevice(path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    // O_NOCTTY: a tty-like device must never become the agent's controlling terminal.
    open(path, constants.O_RDWR | constants.O_NOCTTY, (error, fd) => (error ? reject(error) : resolve(fd))),
  );
}

function writeSome(fd: number, bytes: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) =>
    write(fd, bytes, offset, bytes.length - offset, null, (error, written) =>
      error ? reject(error) : resolve(written),
    ),
  );
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Opens the line (the device at `path`, or `fd`); throws if the device cannot be opened. */
export async function openSerialTransport(options: SerialTransportOptions): Promise<SerialTransport> {
  if ((options.path === undefined) === (options.fd === undefined)) {
    throw new Error('a serial transport needs exactly one of path and fd');
  }
  const fd = options.fd ?? (await openDevice(options.path!));
  return new SerialTransport(fd, options);
}

export class SerialTransport extends Duplex {
  private fd: number | null;
  private reading: 'idle' | 'reading' | 'waiting' = 'idle';
  private writing: Promise<void> | null = null;
  private delayMs = 0;
  /** Why the line is quiet (EOF, an error), logged once per spell rather than once per retry. */
  private quiet: string | null = null;
  private readonly minMs: number;
  private readonly maxMs: number;

  constructor(
    fd: number,
    private readonly options: SerialTransportOptions,
  ) {
    super({ allowHalfOpen: true, writableHighWaterMark: WRITE_HIGH_WATER_BYTES, decodeStrings: true });
    this.fd = fd;
    this.minMs = options.retryMinMs ?? 20;
    this.maxMs = options.retryMaxMs ?? 250;
  }

  override _read(): void {
    if (this.reading === 'idle') this.readNext();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const done = this.writeAll(chunk);
    this.writing = done;
    done.then(() => {
      if (this.writing === done) this.writing = null;
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fd = this.fd;
    this.fd = null;
    // A read blocked in the threadpool keeps the file open until it returns; that is harmless.
    if (fd !== null && this.options.fd === undefined) close(fd, () => {});
    callback(error);
  }

  private readNext(): void {
    const fd = this.fd;
    if (this.destroyed || fd === null) {
      this.reading = 'idle';
      return;
    }
    this.reading = 'reading';
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    read(fd, buffer, 0, READ_BYTES, null, (error, bytesRead) => {
      if (this.destroyed) return;
      if (error) {
        this.onReadError(error);
        return;
      }
      if (bytesRead === 0) {
        this.retry('no host is connected (EOF)', () => this.readNext());
        return;
      }
      if (this.quiet !== null) this.options.log(`serial line: receiving again after: ${this.quiet}`);
      this.quiet = null;
      this.delayMs = 0;
      this.reading = 'idle';
      // Readable calls _read again once this chunk is taken.
      this.push(bytesRead === READ_BYTES ? buffer : Buffer.from(buffer.subarray(0, bytesRead)));
    });
  }

  private onReadError(error: NodeJS.ErrnoException): void {
    const code = error.code ?? error.message;
    if (code === 'EINTR') {
      this.readNext();
      return;
    }
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || this.options.path === undefined) {
      // A non-blocking descriptor has nothing yet, or one we cannot reopen: poll it.
      this.retry(`read: ${code}`, () => this.readNext());
      return;
    }
    this.retry(`read: ${code}; reopening ${this.options.path}`, () => void this.reopen());
  }

  /** Runs `next` after the current backoff, which then doubles. */
  private retry(why: string, next: () => void): void {
    if (this.quiet === null) this.options.log(`serial line: ${why}; retrying`);
    this.quiet = why;
    this.reading = 'waiting';
    this.delayMs = Math.min(this.maxMs, Math.max(this.minMs, this.delayMs * 2));
    setTimeout(() => {
      if (!this.destroyed) next();
    }, this.delayMs);
  }

  private async reopen(): Promise<void> {
    const old = this.fd;
    this.fd = null; // writes meanwhile are dropped
    await this.writing; // never close a descriptor a write is using
    if (old !== null) close(old, () => {});
    while (!this.destroyed) {
      try {
        this.fd = await openDevice(this.options.path!);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        if (this.quiet === null) this.options.log(`serial line: open ${this.options.path}: ${code}`);
        this.quiet = `open: ${code}`;
        this.delayMs = Math.min(this.maxMs, Math.max(this.minMs, this.delayMs * 2));
        await sleep(this.delayMs);
      }
    }
    if (this.destroyed) {
      if (this.fd !== null) close(this.fd, () => {});
      this.fd = null;
      return;
    }
    this.readNext();
  }

  /** Writes one frame whole, or drops what is left of it when the line fails. Never rejects. */
  private async writeAll(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && !this.destroyed) {
      const fd = this.fd;
      if (fd === null) return; // the device is being reopened: output meanwhile is lost
      try {
        offset += await writeSome(fd, chunk, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
          await sleep(this.minMs);
          continue;
        }
        this.options.log(`serial line: write: ${code ?? (error as Error).message}; dropped a frame`);
        return;
      }
    }
  }
}
