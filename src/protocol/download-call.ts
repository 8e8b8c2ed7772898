/**
 * Host-side state of one download (`read`): resolves with the file's entry, then feeds its bytes
 * into a Readable whose consumption grants the agent credit, so a slow consumer stops the agent
 * instead of filling the host's memory. An agent that sends past its credit is hostile: the
 * stream is dropped with ERR_AGENT_PROTOCOL, never buffered. Destroying the body cancels the
 * transfer.
 */
import { Readable } from 'node:stream';
import { AetherError } from '../core/errors.js';
import type { FileDownload } from '../core/guest-files.js';
import { ReceiveWindow } from './flow-window.js';
import type { AgentMessage, HostMessage } from './messages.js';

/** Well below the window, so a drained buffer always frees a grant's worth (see flow-window.ts). */
const BODY_HIGH_WATER_MARK = 256 * 1024;

export interface DownloadCallOptions {
  id: string;
  path: string;
  signal: AbortSignal | undefined;
  /** Deadline for the `entry` reply, and for any silence while the agent owes us data. */
  stallTimeoutMs: number;
  post(message: HostMessage): void;
  /** Called once when nothing more will arrive for this id, to forget it. */
  done(): void;
  resolve(download: FileDownload): void;
  reject(error: unknown): void;
}

export class DownloadCall {
  private readonly window = new ReceiveWindow();
  private body: Readable | null = null;
  private received = 0;
  /** Bytes the body's consumer has taken, already reported to the window. */
  private counted = 0;
  private over = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.stop(this.options.signal?.reason, true);

  constructor(private readonly options: DownloadCallOptions) {}

  /** Call right before sending the `read` request. */
  start(): void {
    if (this.options.signal?.aborted) {
      this.stop(this.options.signal.reason, false);
      return;
    }
    this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.watch('send the entry');
  }

  onMessage(reply: AgentMessage): void {
    if (this.over) return;
    if (reply.type === 'error') {
      this.stop(new AetherError(reply.code, reply.message), false);
      return;
    }
    if (!this.body) {
      if (reply.type === 'entry') {
        this.open(reply.entry);
        return;
      }
    } else if (reply.type === 'data') {
      this.onData(reply.data, reply.end === true);
      return;
    }
    this.stop(
      new AetherError(
        'ERR_AGENT_PROTOCOL',
        `unexpected "${reply.type}" in the download of ${this.options.path}`,
      ),
      true,
    );
  }

  /** The connection failed. */
  fail(error: unknown): void {
    this.stop(error, false);
  }

  private open(entry: FileDownload['entry']): void {
    const body = new Readable({
      highWaterMark: BODY_HIGH_WATER_MARK,
      // Node calls _read before it takes what read() returns out of the buffer: counted now, the
      // bytes being read would still look unread, and a consumer that took everything would get
      // no credit and no further _read. A tick later the buffer shows what was consumed.
      read: () => process.nextTick(() => this.grantConsumed()),
      destroy: (error, callback) => {
        // The consumer gave up (or we failed the body): the agent stops reading.
        if (!this.over) this.end(true);
        callback(error);
      },
    });
    this.body = body;
    this.watch('send data');
    this.options.resolve({ entry, body });
  }

  private onData(data: Uint8Array, end: boolean): void {
    const bytes = data.length;
    if (!this.window.accept(bytes)) {
      this.stop(
        new AetherError(
          'ERR_AGENT_PROTOCOL',
          `agent sent past its credit in the download of ${this.options.path}`,
        ),
        true,
      );
      return;
    }
    this.received += bytes;
    const body = this.body!;
    // A view into the decoder's buffer, which is not reused: no copy needed.
    if (bytes > 0) body.push(data);
    if (end) {
      this.end(false);
      body.push(null);
      return;
    }
    this.grantConsumed();
    this.watch('send data');
  }

  /** What the consumer took since the last call counts towards a grant. */
  private grantConsumed(): void {
    if (this.over || !this.body) return;
    const consumed = this.received - this.body.readableLength;
    const grant = this.window.consumed(consumed - this.counted);
    this.counted = consumed;
    if (grant > 0) {
      this.options.post({ type: 'credit', id: this.options.id, bytes: grant });
      this.watch('send data');
    }
  }

  /**
   * Arms the silence deadline while the agent owes us something: the entry, or data it has
   * credit for. A consumer that reads slowly leaves the agent no credit, and no deadline runs.
   */
  private watch(what: string): void {
    clearTimeout(this.timer);
    if (this.body && this.window.outstanding === 0) return;
    const { stallTimeoutMs, path } = this.options;
    this.timer = setTimeout(
      () =>
        this.stop(
          new AetherError(
            'ERR_AGENT_UNREACHABLE',
            `download of ${path}: agent did not ${what} within ${stallTimeoutMs} ms`,
          ),
          true,
        ),
      stallTimeoutMs,
    );
  }

  /** Fails the call (before the entry) or the body (after it). */
  private stop(error: unknown, cancel: boolean): void {
    if (this.over) return;
    this.end(cancel);
    if (this.body) this.body.destroy(error as Error);
    else this.options.reject(error);
  }

  private end(cancel: boolean): void {
    this.over = true;
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (cancel) this.options.post({ type: 'cancel', id: this.options.id });
    this.options.done();
  }
}
