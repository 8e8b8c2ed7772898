import { isAetherError } from '../core/errors.js';
import {
  countByKind,
  LOG_KINDS,
  type LogKind,
  type LogReader,
  type LogRecord,
  type LogShippingObserver,
} from '../core/logs.js';
import type { Store } from '../core/store.js';
import { LogDeliveryError, type LogSender } from './batcher.js';

/** The bound of the store's log table (config `logging.store_*`): a row cap per kind, one age. */
export interface StoreLogBound {
  maxRows: Readonly<Record<LogKind, number>>;
  maxAgeMs: number;
}

/** Ships batches into the store: one multi-row insert each; an unreachable store is retried. */
export function createStoreLogSender(
  store: Store,
  stored: (batch: readonly LogRecord[]) => void = () => {},
): LogSender {
  return async (batch) => {
    try {
      await store.appendLogs(batch);
      stored(batch);
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

/** A prune also runs once this share of a kind's cap was written since the last one. */
const PRUNE_AFTER_SHARE = 0.1;

export interface LogPruning {
  /** Counts lines just stored; prunes at once when enough were written since the last prune. */
  stored(batch: readonly LogRecord[]): void;
  /** No prune starts after this; resolves once the one running (if any) is done. */
  stop(): Promise<void>;
}

/**
 * Keeps the table within its bound: prunes every `intervalMs`, and as soon as a tenth of a
 * kind's cap was written since the last prune, so a flood of output cannot grow the table to
 * millions of rows between two ticks. What a cap evicts is reported as dropped (`store_full`).
 * Every node prunes; the deletes are idempotent, so several nodes on one database only repeat
 * each other's work, and each counts only the rows its own delete removed.
 */
export function startLogPruning(
  store: Store,
  bound: StoreLogBound,
  options: {
    intervalMs: number;
    report: (message: string, error?: unknown) => void;
    observer: () => LogShippingObserver;
  },
): LogPruning {
  const written: Record<LogKind, number> = { platform: 0, output: 0 };
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const prune = async () => {
    for (const kind of LOG_KINDS) written[kind] = 0;
    try {
      const result = await store.pruneLogs({
        maxRows: bound.maxRows,
        olderThan: new Date(Date.now() - bound.maxAgeMs),
      });
      for (const kind of LOG_KINDS) {
        if (result.overCap[kind] > 0) options.observer().dropped(result.overCap[kind], 'store_full', kind);
      }
    } catch (error) {
      options.report('could not prune stored log lines; will try again', error);
    }
  };
  const start = () => {
    if (running) {
      again = true;
      return;
    }
    running = prune().finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        start();
      }
    });
  };
  const timer = setInterval(start, options.intervalMs);
  timer.unref();
  start();
  return {
    stored(batch) {
      const counts = countByKind(batch);
      let due = false;
      for (const kind of LOG_KINDS) {
        written[kind] += counts[kind];
        if (written[kind] >= Math.max(1, bound.maxRows[kind] * PRUNE_AFTER_SHARE)) due = true;
      }
      if (due && !stopped) start();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
