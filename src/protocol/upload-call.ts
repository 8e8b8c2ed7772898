/**
 * Host-side state of one upload (`write`): pumps the source with flow control, then waits for
 * the agent's `ok`. Abort and a failing source send `cancel` and settle once the agent confirms
 * the temporary file is gone (or a deadline passes), so a rejected call leaves nothing behind.
 * There is no overall deadline (files may be large), only a stall deadline: while we wait on the
 * agent (for credit, or for its answer after the last byte) and it says nothing for
 * `stallTimeoutMs`, the call fails with ERR_AGENT_UNREACHABLE.
 */
import { AetherError } from '../core/errors.js';
import type { AgentMessage, HostMessage } from './messages.js';
import { StreamSender } from './stream-sender.js';

export interface UploadCallOptions {
  id: string;
  /** The path as the caller gave it, for messages. */
  path: string;
  source: AsyncIterable<Uint8Array>;
  signal: AbortSignal | undefined;
  stallTimeoutMs: number;
  post(message: HostMessage): void;
  /** Called once when the call settles, to forget it. */
  done(): void;
  resolve(result: { size: number }): void;
  reject(error: unknown): void;
}

export class UploadCall {
  private readonly sender: StreamSender;
  private settled = false;
  /** Set once we sent `cancel`: the next reply (or the deadline) settles with this error. */
  private cancelling: { error: unknown } | null = null;
  private stallTimer: NodeJS.Timeout | undefined;
  /** Every byte and the end are sent: only the agent's answer is missing. */
  private allSent = false;
  private readonly onAbort = () => this.cancel(this.options.signal?.reason);

  constructor(private readonly options: UploadCallOptions) {
    this.sender = new StreamSender(options.id, options.post, (waiting) =>
      waiting ? this.armStall('grant credit') : this.disarmStall(),
    );
  }

  /** Call right after sending the `write` request. */
  start(): void {
    const { signal, source } = this.options;
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.sender.pump(source).then(
      (outcome) => {
        if (outcome !== 'ended' || this.settled || this.cancelling) return;
        this.allSent = true;
        this.armStall('confirm the upload');
      },
      (error: unknown) =>
        this.cancel(
          error instanceof AetherError
            ? error
            : new AetherError(
                'ERR_TRANSFER_ABORTED',
                `upload to ${this.options.path}: the source failed: ${(error as Error)?.message ?? String(error)}`,
                { cause: error },
              ),
        ),
    );
  }

  onMessage(reply: AgentMessage): void {
    if (this.cancelling) {
      // Credit still on its way is not an answer. Its `error` (or an `ok` that crossed our
      // cancel) means the agent is done: the temporary file is gone (or the file is whole).
      if (reply.type !== 'credit') this.finish(this.cancelling.error);
      return;
    }
    switch (reply.type) {
      case 'credit':
        this.sender.grant(reply.bytes);
        if (this.allSent) this.armStall('confirm the upload'); // it is alive: the deadline restarts
        return;
      case 'ok':
        if (reply.size === undefined) break;
        this.finish(undefined, reply.size);
        return;
      case 'error':
        this.finish(new AetherError(reply.code, reply.message));
        return;
    }
    this.options.post({ type: 'cancel', id: this.options.id });
    this.finish(new AetherError('ERR_AGENT_PROTOCOL', `unexpected "${reply.type}" reply to write`));
  }

  /** The connection failed: the agent abandons the upload itself. */
  fail(error: unknown): void {
    this.finish(error);
  }

  private cancel(error: unknown): void {
    if (this.settled || this.cancelling) return;
    this.cancelling = { error };
    this.sender.stop();
    this.options.post({ type: 'cancel', id: this.options.id });
    this.armStall('confirm the cancel');
  }

  private armStall(what: string): void {
    clearTimeout(this.stallTimer);
    const { stallTimeoutMs, path } = this.options;
    this.stallTimer = setTimeout(() => {
      if (this.cancelling) return this.finish(this.cancelling.error);
      this.options.post({ type: 'cancel', id: this.options.id });
      this.finish(
        new AetherError(
          'ERR_AGENT_UNREACHABLE',
          `upload to ${path}: agent did not ${what} within ${stallTimeoutMs} ms`,
        ),
      );
    }, stallTimeoutMs);
  }

  private disarmStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private finish(error: unknown, size?: number): void {
    if (this.settled) return;
    this.settled = true;
    this.sender.stop();
    this.disarmStall();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.options.done();
    if (error === undefined && size !== undefined) this.options.resolve({ size });
    else this.options.reject(error);
  }
}
