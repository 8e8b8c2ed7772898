import {
  countByKind,
  LOG_KINDS,
  type LogDropReason,
  type LogKind,
  type LogRecord,
  type LogShippingObserver,
  type LogSink,
  NO_LOG_OBSERVER,
} from '../core/logs.js';
import { LineQueue } from './line-queue.js';

/**
 * Why a delivery failed. `retryable` (backend down, 5xx, 429, timeout): the batch goes back to
 * the front of the buffer and is tried again after a backoff. Otherwise (the backend refused the
 * batch itself, e.g. 400): it is dropped and counted, since sending it again cannot help.
 */
export class LogDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LogDeliveryError';
  }
}

/** Delivers one batch; resolves once the backend has it. */
export type LogSender = (batch: readonly LogRecord[]) => Promise<void>;

export interface LogBatcherSettings {
  /** Lines per delivery; a full batch leaves at once. */
  batchSize: number;
  /** Longest a line waits for its batch to fill, ms. */
  intervalMs: number;
  /**
   * Lines held at most (the batch in flight included); past it the oldest command output is
   * dropped, and the oldest platform lines only when no output is left.
   */
  bufferLines: number;
  /** Backoff after a failed delivery: doubles from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs: number; maxMs: number };
}

export interface LogBatcher extends LogSink {
  /** Lines waiting, the batch in flight included. */
  buffered(): number;
  /** Where counts go from now on (the metrics registry exists after the batcher). */
  observe(observer: LogShippingObserver): void;
  /** Sends what is buffered now, trying each batch once, within `deadlineMs`; then drops writes. */
  close(deadlineMs?: number): Promise<void>;
}

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000 };

/**
 * A bounded buffer in front of a sender. `write` only appends (and drops a line when full,
 * command output before the platform's own): it never waits on the backend, so a hanging or
 * dead backend costs a process nothing but the buffer's memory. One delivery is in flight at a
 * time, in order; failures report through `report` (never through the log, which would feed
 * this buffer).
 */
export function createLogBatcher(
  sender: LogSender,
  settings: LogBatcherSettings,
  report: (message: string, error?: unknown) => void = () => {},
): LogBatcher {
  const backoff = settings.backoff ?? DEFAULT_BACKOFF;
  let observer: LogShippingObserver = NO_LOG_OBSERVER;
  const pending = new LineQueue();
  let inFlight = 0;
  let timer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let sending: Promise<void> | null = null;
  let failures = 0;
  let closed = false;

  const count = (dropped: Record<LogKind, number>, reason: LogDropReason) => {
    for (const kind of LOG_KINDS) if (dropped[kind] > 0) observer.dropped(dropped[kind], reason, kind);
  };

  const trim = () => {
    const over = pending.length + inFlight - settings.bufferLines;
    if (over > 0) count(pending.dropOldest(over), 'buffer_full');
  };

  const arm = () => {
    if (timer || retryTimer || sending || pending.length === 0) return;
    timer = setTimeout(kick, settings.intervalMs);
    timer.unref();
  };

  function kick(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (sending || retryTimer || pending.length === 0) return;
    sending = drain().finally(() => {
      sending = null;
      if (closed) return;
      if (pending.length >= settings.batchSize) kick();
      else arm();
    });
  }

  /** Sends full batches (and one partial, since its time has come) until one fails. */
  async function drain(): Promise<void> {
    do {
      const batch = pending.take(settings.batchSize);
      inFlight = batch.length;
      try {
        await sender(batch);
        inFlight = 0;
        observer.shipped(batch.length);
        if (failures > 0) report(`log delivery recovered after ${failures} failed attempts`);
        failures = 0;
      } catch (error) {
        inFlight = 0;
        if (error instanceof LogDeliveryError && !error.retryable) {
          count(countByKind(batch), 'rejected');
          report('a batch of log lines was refused; dropped', error);
          continue;
        }
        // Back at the front, in order; the bound still holds, dropping the oldest first.
        pending.restore(batch);
        trim();
        observer.retried();
        failures++;
        if (failures === 1) report('log delivery failed; retrying with backoff', error);
        if (!closed) scheduleRetry();
        return;
      }
    } while (pending.length >= settings.batchSize && !closed);
  }

  function scheduleRetry(): void {
    const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures - 1, 20));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      kick();
    }, delay);
    retryTimer.unref();
  }

  return {
    write(record) {
      if (closed) return;
      pending.push(record);
      trim();
      if (pending.length >= settings.batchSize) kick();
      else arm();
    },
    buffered: () => pending.length + inFlight,
    observe(next) {
      observer = next;
    },
    async close(deadlineMs = 2000) {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      if (retryTimer) clearTimeout(retryTimer);
      timer = retryTimer = null;
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
      let abandoned = false;
      const flush = async () => {
        await sending;
        while (!abandoned && pending.length > 0) {
          const batch = pending.take(settings.batchSize);
          try {
            await sender(batch);
            observer.shipped(batch.length);
          } catch (error) {
            count(countByKind(batch), 'rejected');
            count(pending.clear(), 'rejected');
            report('could not deliver the last log lines at shutdown', error);
          }
        }
      };
      await Promise.race([flush(), deadline]);
      abandoned = true;
      count(pending.clear(), 'buffer_full');
    },
  };
}
