/**
 * One upload (`write`) inside the guest. The body goes to a hidden temporary file beside the
 * target, created exclusively; each chunk is granted back to the host as credit once written.
 * At the end: chmod (exactly the mode asked, whatever the umask), utimes, close, rename over the
 * target. No fsync, as neither `cp` nor `docker cp` does one: a write that cannot be stored (a
 * full disk, a quota) fails at write() or close(), which is what the host is told; a sync only
 * adds durability across a host crash, which a sandbox's files do not outlive anyway, and it
 * cost a fifth of an upload's time (docs/performance.md). Any failure, a cancel or a lost connection removes the temporary file, so the target
 * is either the old file or the whole new one, never half of it.
 */
import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ReceiveWindow } from '../protocol/flow-window.js';
import type { AgentMessage, WriteMessage } from '../protocol/messages.js';
import { FileOpError, fileError } from './fs-errors.js';

export interface TransferContext {
  home: string;
  send(message: AgentMessage): void;
  log(message: string): void;
}

let uploadCounter = 0;

export class Upload {
  private readonly target: string;
  private readonly temp: string;
  private readonly window = new ReceiveWindow();
  private readonly queue: Uint8Array[] = [];
  private ended = false;
  private over = false;
  private writing = false;
  private handle: FileHandle | null = null;
  private opening: Promise<FileHandle | null> | null = null;
  private size = 0;

  constructor(
    private readonly request: WriteMessage,
    private readonly ctx: TransferContext,
    private readonly onDone: () => void,
  ) {
    this.target = resolve(ctx.home, request.path);
    uploadCounter += 1;
    // Short whatever the target's name (NAME_MAX), unique per agent and request, and hidden.
    const tag = request.id.replace(/[^A-Za-z0-9_-]/g, '_');
    this.temp = join(dirname(this.target), `.aether-upload-${process.pid}-${uploadCounter}-${tag}`);
  }

  start(): void {
    this.opening = this.open().then(
      (handle) => {
        if (this.over) {
          void handle.close().catch(() => {});
          return null;
        }
        this.handle = handle;
        void this.drain();
        return handle;
      },
      (error: unknown) => {
        this.fail(fileError(error, this.target));
        return null;
      },
    );
  }

  /** A chunk of the body; the last one has `end`. */
  onData(data: Uint8Array, end: boolean): void {
    if (this.over) return;
    if (!this.window.accept(data.length)) {
      this.fail(new FileOpError('ERR_AGENT_PROTOCOL', `upload to ${this.target}: host sent past its credit`));
      return;
    }
    if (data.length > 0) this.queue.push(data);
    if (end) this.ended = true;
    void this.drain();
  }

  /** The host gave up: remove what was written, then confirm. */
  cancel(): void {
    this.fail(new FileOpError('ERR_TRANSFER_ABORTED', `upload to ${this.target} cancelled`));
  }

  /** The connection is gone: remove what was written; nobody to tell. */
  abandon(): void {
    if (this.over) return;
    this.over = true;
    void this.cleanUp().finally(() => this.onDone());
  }

  private async open(): Promise<FileHandle> {
    const existing = await lstat(this.target).catch(() => null);
    if (existing?.isDirectory())
      throw new FileOpError('ERR_IS_A_DIRECTORY', `${this.target}: is a directory`);
    await mkdir(dirname(this.target), { recursive: true });
    // Owner-only until it is whole; the requested mode is set at the end.
    return open(this.temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  }

  private async drain(): Promise<void> {
    if (this.writing || !this.handle || this.over) return;
    this.writing = true;
    try {
      while (this.queue.length > 0 && !this.over) {
        // Everything that arrived while the last write ran goes in one writev: one trip to the
        // thread pool per batch instead of per frame.
        const batch = this.queue.splice(0);
        const total = batch.reduce((n, chunk) => n + chunk.length, 0);
        for (let written = 0; written < total; ) {
          const { bytesWritten } = await this.handle.writev(unwritten(batch, written), this.size);
          written += bytesWritten;
          this.size += bytesWritten;
        }
        const grant = this.window.consumed(total);
        if (grant > 0 && !this.over) this.ctx.send({ type: 'credit', id: this.request.id, bytes: grant });
      }
      if (this.ended && !this.over) await this.commit();
    } catch (error) {
      this.fail(fileError(error, this.target));
    } finally {
      this.writing = false;
    }
  }

  private async commit(): Promise<void> {
    const handle = this.handle!;
    const { mode = 0o644, mtimeMs } = this.request;
    await handle.chmod(mode);
    if (mtimeMs !== undefined) await handle.utimes(new Date(), new Date(mtimeMs));
    await handle.close();
    this.handle = null;
    if (this.over) return; // cancelled while we synced: fail() removes the temp file
    // From here a cancel is too late: the host gets `ok` (or the rename's error), not an abort.
    this.over = true;
    try {
      await rename(this.temp, this.target);
    } catch (error) {
      await this.cleanUp();
      this.reply(fileError(error, this.target));
      return;
    }
    this.ctx.send({ type: 'ok', id: this.request.id, size: this.size });
    this.onDone();
  }

  private fail(error: FileOpError): void {
    if (this.over) return;
    this.over = true;
    void this.cleanUp().finally(() => this.reply(error));
  }

  private reply(error: FileOpError): void {
    this.ctx.send({ type: 'error', id: this.request.id, code: error.code, message: error.message });
    this.onDone();
  }

  /** Closes and removes the temporary file, once it is open (or failed to open). */
  private async cleanUp(): Promise<void> {
    this.queue.length = 0;
    await this.opening;
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => {});
    await unlink(this.temp).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT')
        this.ctx.log(`upload ${this.request.id}: removing ${this.temp}: ${error.message}`);
    });
  }
}

/** The chunks of `batch` after its first `written` bytes (a short writev leaves a tail). */
function unwritten(batch: Uint8Array[], written: number): Uint8Array[] {
  if (written === 0) return batch;
  const rest: Uint8Array[] = [];
  let skip = written;
  for (const chunk of batch) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    rest.push(skip > 0 ? chunk.subarray(skip) : chunk);
    skip = 0;
  }
  return rest;
}
