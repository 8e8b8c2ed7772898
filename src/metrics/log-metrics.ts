import { Counter, Gauge, type Registry } from 'prom-client';
import { LOG_DROP_REASONS, LOG_KINDS, type LogShippingObserver } from '../core/logs.js';

/**
 * How a node's log shipping fares: a backend that is down shows as retries, then as a full
 * buffer, then as dropped lines, while the node itself goes on.
 */
export function createLogShippingMetrics(registry: Registry, buffered: () => number): LogShippingObserver {
  const dropped = new Counter({
    name: 'aether_log_lines_dropped_total',
    help: 'Log lines this node dropped, by `kind` (`platform`: its own lines; `output`: command output) and `reason`: `buffer_full` (the backend was down or slow; output goes first), `rejected` (the backend refused the batch) or `store_full` (the store held more lines of that kind than its cap; oldest first)',
    labelNames: ['reason', 'kind'],
    registers: [registry],
  });
  const shipped = new Counter({
    name: 'aether_log_lines_shipped_total',
    help: 'Log lines this node delivered to its log backend (Loki or the store)',
    registers: [registry],
  });
  const retries = new Counter({
    name: 'aether_log_delivery_retries_total',
    help: 'Log deliveries that failed and were retried after a backoff',
    registers: [registry],
  });
  new Gauge({
    name: 'aether_log_lines_buffered',
    help: 'Log lines waiting to be shipped',
    registers: [registry],
    collect() {
      this.set(buffered());
    },
  });
  // Every series from the start: a rate over a counter that appears late misses its first drops.
  for (const reason of LOG_DROP_REASONS) for (const kind of LOG_KINDS) dropped.inc({ reason, kind }, 0);
  return {
    dropped: (count, reason, kind) => dropped.inc({ reason, kind }, count),
    shipped: (count) => shipped.inc(count),
    retried: () => retries.inc(),
  };
}
