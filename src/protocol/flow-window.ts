/**
 * Flow control of one stream (see messages.ts): the receiver's side of the window. The sender's
 * side is `StreamSender` (host) or the agent's download loop; both count decoded payload bytes.
 */
import { DATA_CHUNK_BYTES, INITIAL_WINDOW_BYTES } from './messages.js';

/**
 * Grants are batched to this size: one `credit` frame per chunk rather than per small write.
 * Batching never stalls a sender, because a sender that has used its whole window has been sent
 * a window's worth of credit back once everything it sent is consumed, and the batch is smaller.
 */
export const GRANT_BATCH_BYTES = DATA_CHUNK_BYTES;

export class ReceiveWindow {
  /** What the sender may still send before it hears from us. */
  private allowance: number;
  private consumedUngranted = 0;

  /**
   * @param windowBytes the credit the stream starts with
   * @param batchBytes grant once this much was consumed; at most the window, or the sender stalls
   */
  constructor(
    windowBytes = INITIAL_WINDOW_BYTES,
    private readonly batchBytes = Math.min(GRANT_BATCH_BYTES, windowBytes),
  ) {
    this.allowance = windowBytes;
  }

  /** Counts a received frame; false when it overruns the window (the sender broke the contract). */
  accept(bytes: number): boolean {
    if (bytes > this.allowance) return false;
    this.allowance -= bytes;
    return true;
  }

  /** What the sender may still send; positive means it owes us data or an end. */
  get outstanding(): number {
    return this.allowance;
  }

  /**
   * Records bytes the consumer took; returns how much credit to grant now (0: not yet worth a
   * frame). The caller sends a `credit` frame for a positive result.
   */
  consumed(bytes: number): number {
    this.consumedUngranted += bytes;
    if (this.consumedUngranted < this.batchBytes) return 0;
    const grant = this.consumedUngranted;
    this.consumedUngranted = 0;
    this.allowance += grant;
    return grant;
  }
}
