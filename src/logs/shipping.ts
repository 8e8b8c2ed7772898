import { type LogReader, type LogShippingObserver, type LogSink, NO_LOG_OBSERVER } from '../core/logs.js';
import type { Store } from '../core/store.js';
import { createLogBatcher, type LogBatcherSettings } from './batcher.js';
import { createLokiPusher } from './loki-push.js';
import { createLokiReader } from './loki-query.js';
import type { LokiSettings } from './loki-settings.js';
import {
  createStoreLogReader,
  createStoreLogSender,
  type StoreLogBound,
  startLogPruning,
} from './store-logs.js';

export type LogShippingSettings = LogBatcherSettings &
  (
    | { provider: 'loki'; loki: LokiSettings }
    | { provider: 'local'; bound: StoreLogBound; pruneIntervalMs?: number }
  );

/** A node's log pipeline: where lines are written, where queries are answered. */
export interface LogShipping {
  sink: LogSink;
  reader: LogReader;
  /** Where shipping counts go (the node's metrics registry). */
  observe(observer: LogShippingObserver): void;
  buffered(): number;
  /** Ships what is left (briefly) and stops; call it before the store closes. */
  close(): Promise<void>;
}

/**
 * Loki when configured, else the store's bounded table. Either way the same batcher sits in
 * front, so a log call only appends to a buffer. `report` hears about delivery trouble; it must
 * not write through this pipeline (the runtime gives it the stderr logger).
 */
export function openLogShipping(
  settings: LogShippingSettings,
  deps: { store: Store; report: (message: string, error?: unknown) => void },
): LogShipping {
  if (settings.provider === 'loki') {
    const batcher = createLogBatcher(createLokiPusher(settings.loki), settings, deps.report);
    return {
      sink: batcher,
      reader: createLokiReader(settings.loki),
      observe: batcher.observe,
      buffered: batcher.buffered,
      close: () => batcher.close(),
    };
  }
  let observer: LogShippingObserver = NO_LOG_OBSERVER;
  const pruning = startLogPruning(deps.store, settings.bound, {
    intervalMs: settings.pruneIntervalMs ?? 60_000,
    report: deps.report,
    observer: () => observer,
  });
  const batcher = createLogBatcher(createStoreLogSender(deps.store, pruning.stored), settings, deps.report);
  return {
    sink: batcher,
    reader: createStoreLogReader(deps.store),
    observe(next) {
      observer = next;
      batcher.observe(next);
    },
    buffered: batcher.buffered,
    async close() {
      await batcher.close();
      await pruning.stop();
    },
  };
}
