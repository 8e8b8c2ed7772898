/**
 * One attempt at synchronising a serial line (see `framing.ts`): a SYNC marker with a random
 * nonce, sent again every 200 ms until the agent echoes it or the deadline passes. Resending
 * covers a marker lost on the way (an agent not reading yet, a line that dropped it).
 */
import { randomBytes } from 'node:crypto';
import { AetherError } from '../core/errors.js';
import { encodeSync, SYNC_NONCE_BYTES } from './framing.js';

/** How often an unanswered SYNC marker is sent again. */
export const SYNC_RESEND_MS = 200;

export class SyncAttempt {
  readonly promise: Promise<void>;
  private readonly nonce: Buffer;
  private settled = false;
  private resolve!: () => void;
  private reject!: (error: AetherError) => void;
  private readonly resend: NodeJS.Timeout;
  private readonly deadline: NodeJS.Timeout;

  /**
   * Sends the first marker at once. `onSettle` runs synchronously when the attempt ends (before
   * the promise settles), so the caller can flush or fail what waited in the same tick.
   */
  constructor(
    write: (bytes: Buffer) => void,
    timeoutMs: number,
    private readonly onSettle: (error?: AetherError) => void,
  ) {
    // A nonce never holds 0xFF (see encodeSync): 0xFF becomes 0xFE, a negligible bias.
    this.nonce = randomBytes(SYNC_NONCE_BYTES);
    for (let i = 0; i < this.nonce.length; i++) if (this.nonce[i] === 0xff) this.nonce[i] = 0xfe;
    const marker = encodeSync(this.nonce);
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.resend = setInterval(() => write(marker), SYNC_RESEND_MS);
    this.deadline = setTimeout(
      () =>
        this.settle(
          new AetherError(
            'ERR_AGENT_UNREACHABLE',
            `agent did not echo the sync marker within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    write(marker);
  }

  /** A marker came back: ends the attempt if it carries our nonce. */
  echo(nonce: Buffer): boolean {
    if (this.settled || !this.nonce.equals(nonce)) return false;
    this.settle();
    return true;
  }

  fail(error: AetherError): void {
    this.settle(error);
  }

  private settle(error?: AetherError): void {
    if (this.settled) return;
    this.settled = true;
    clearInterval(this.resend);
    clearTimeout(this.deadline);
    this.onSettle(error);
    if (error) this.reject(error);
    else this.resolve();
  }
}
