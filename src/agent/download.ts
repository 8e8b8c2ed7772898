/**
 * One download (`read`) inside the guest: the entry first, then the file's bytes as `data`
 * frames, only as far as the host's credit goes and only while the connection is not backed up
 * (the session pauses us), reading until EOF (the file may have grown since the entry).
 * Opened with O_NONBLOCK so a FIFO cannot hang the request; anything but a regular file is
 * refused. A symlink is followed: it can only lead elsewhere inside the guest.
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { DATA_CHUNK_BYTES, INITIAL_WINDOW_BYTES, type ReadMessage } from '../protocol/messages.js';
import { toEntry } from './fs-entry.js';
import { FileOpError, fileError } from './fs-errors.js';
import type { TransferContext } from './upload.js';

export class Download {
  private readonly target: string;
  private credit = INITIAL_WINDOW_BYTES;
  private paused = false;
  private over = false;
  private reading = false;
  private position = 0;
  private handle: FileHandle | null = null;

  constructor(
    private readonly request: ReadMessage,
    private readonly ctx: TransferContext,
    private readonly onDone: () => void,
  ) {
    this.target = resolve(ctx.home, request.path);
  }

  async start(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.target, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      return this.fail(fileError(error, this.target));
    }
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) throw new FileOpError('ERR_IS_A_DIRECTORY', `${this.target}: is a directory`);
      if (!stats.isFile()) throw new FileOpError('ERR_VALIDATION', `${this.target}: not a regular file`);
      if (this.over) throw new FileOpError('ERR_TRANSFER_ABORTED', `${this.target}: cancelled`);
      this.handle = handle;
      this.ctx.send({
        type: 'entry',
        id: this.request.id,
        entry: toEntry(basename(this.target) || this.target, stats),
      });
    } catch (error) {
      await handle.close().catch(() => {});
      return this.fail(fileError(error, this.target));
    }
    void this.pump();
  }

  /** The host consumed `bytes` more. */
  grant(bytes: number): void {
    this.credit += bytes;
    void this.pump();
  }

  /** The connection is backed up: stop producing until it drains. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    void this.pump();
  }

  /** The host gave up, or went away: stop and close, no reply. */
  cancel(): void {
    if (this.over) return;
    this.over = true;
    this.close();
    this.onDone();
  }

  private async pump(): Promise<void> {
    if (this.reading || this.over || !this.handle) return;
    this.reading = true;
    const { id } = this.request;
    try {
      while (!this.over && !this.paused && this.credit > 0) {
        const buffer = Buffer.allocUnsafe(Math.min(this.credit, DATA_CHUNK_BYTES));
        const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.position);
        if (this.over) return;
        if (bytesRead === 0) {
          this.over = true;
          this.close();
          this.ctx.send({ type: 'data', id, data: new Uint8Array(0), end: true });
          this.onDone();
          return;
        }
        this.position += bytesRead;
        this.credit -= bytesRead;
        // Encoded at once (send copies it into the frame), so the buffer is free again after.
        this.ctx.send({ type: 'data', id, data: buffer.subarray(0, bytesRead) });
      }
    } catch (error) {
      if (!this.over) {
        this.close();
        this.fail(fileError(error, this.target));
      }
    } finally {
      this.reading = false;
    }
  }

  private close(): void {
    const handle = this.handle;
    this.handle = null;
    void handle?.close().catch(() => {});
  }

  private fail(error: FileOpError): void {
    const wasOver = this.over;
    this.over = true;
    // A cancelled download gets no reply; a failed one says why.
    if (!wasOver)
      this.ctx.send({ type: 'error', id: this.request.id, code: error.code, message: error.message });
    if (!wasOver) this.onDone();
  }
}
