import { isAetherError } from '../core/errors.js';
import type { LogReader } from '../core/logs.js';
import type { Store } from '../core/store.js';
import { LogDeliveryError, type LogSender } from './batcher.js';

/** The bound of the store's log table (config `logging.store_*`). */
export interface StoreLogBound {
  maxRows: number;
  maxAgeMs: number;
}

/** Ships batches into the store: one multi-row insert each; an unreachable store is retried. */
export function createStoreLogSender(store: Store): LogSender {
  return async (batch) => {
    try {
      await store.appendLogs(batch);
    } catch (error) {
      const retryable = isAetherError(error, 'ERR_STORE_UNAVAILABLE');
      throw new LogDeliveryError(`could not store log lines: ${(error as Error).message}`, retryable, {
        cause: error,
      });
    }
  };
}

export function createStoreLogReader(store: Store): LogReader {
  return { query: (query) => store.queryLogs(query) };
}

/**
 * Keeps the table within its bound: prunes now and then every `intervalMs`. Every node prunes;
 * the deletes are idempotent, so several nodes on one database only repeat each other's work.
 */
export function startLogPruning(
  store: Store,
  bound: StoreLogBound,
  intervalMs: number,
  report: (message: string, error?: unknown) => void,
): { stop(): void } {
  let running = false;
  const prune = async () => {
    if (running) return;
    running = true;
    try {
      await store.pruneLogs({ maxRows: bound.maxRows, olderThan: new Date(Date.now() - bound.maxAgeMs) });
    } catch (error) {
      report('could not prune stored log lines; will try again', error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void prune(), intervalMs);
  timer.unref();
  void prune();
  return { stop: () => clearInterval(timer) };
}
