import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The registry of one node, with the process's own metrics (CPU, memory, event loop, GC). Never
 * prom-client's global registry: two nodes in one process (tests, benchmarks) would share and
 * clash over its series.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The exposition of everything `registry` holds, in Prometheus text format. */
export async function renderMetrics(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
