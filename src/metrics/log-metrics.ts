import { Counter, Gauge, type Registry } from 'prom-client';
import type { LogShippingObserver } from '../core/logs.js';

/**
 * How a node's log shipping fares: a backend that is down shows as retries, then as a full
 * buffer, then as dropped lines, while the node itself goes on.
 */
export function createLogShippingMetrics(registry: Registry, buffered: () => number): LogShippingObserver {
  const dropped = new Counter({
    name: 'aether_log_lines_dropped_total',
    help: 'Log lines this node dropped instead of shipping: `buffer_full` (the backend was down too long, oldest first) or `rejected` (the backend refused the batch)',
    labelNames: ['reason'],
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
  // Both series from the start: a rate over a counter that appears late misses its first drops.
  dropped.inc({ reason: 'buffer_full' }, 0);
  dropped.inc({ reason: 'rejected' }, 0);
  return {
    dropped: (count, reason) => dropped.inc({ reason }, count),
    shipped: (count) => shipped.inc(count),
    retried: () => retries.inc(),
  };
}
