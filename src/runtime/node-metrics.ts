import type { Registry } from 'prom-client';
import type { DataPlane } from '../core/data-plane.js';
import type { Logger } from '../core/logger.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import type { GatewayMetrics } from '../gateway/context.js';
import { registerClusterMetrics } from '../metrics/cluster-metrics.js';
import { createHttpMetrics } from '../metrics/http-metrics.js';
import { type MetricsServer, startMetricsServer } from '../metrics/metrics-server.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import { registerVmUsageMetrics } from '../metrics/vm-usage-metrics.js';
import { createWorkerMetrics, type WorkerMetrics } from '../metrics/worker-metrics.js';
import { startupError } from './backends.js';
import { type AetherConfig, DRIVER_NAMES } from './config.js';

/** One registry per node, shared by its roles: `aether up` exports gateway and worker together. */
export interface NodeMetrics {
  registry: Registry;
  /** Null without a gateway role. */
  gateway: GatewayMetrics | null;
  /** Null without a worker role. */
  worker: WorkerMetrics | null;
}

/**
 * The gateway's registry also reads the cluster's gauges (VMs, queue depth, workers) from the
 * store at each scrape: every gateway shows the same cluster. A worker-only node exports its own
 * work (tasks, execs, heartbeats) and its process.
 */
export function createNodeMetrics(
  roles: { gateway: boolean; worker: boolean },
  workerId: string,
  backends: { store: Store; queue: TaskQueue },
): NodeMetrics {
  const registry = createMetricsRegistry();
  let gateway: GatewayMetrics | null = null;
  if (roles.gateway) {
    registerClusterMetrics(registry, { ...backends, driverNames: DRIVER_NAMES });
    gateway = { registry, http: createHttpMetrics(registry) };
  }
  return { registry, gateway, worker: roles.worker ? createWorkerMetrics(registry, workerId) : null };
}

/**
 * Per-VM usage series of this node's worker (`metricsPerVm`), read through its own data plane:
 * each VM is exported by the worker that owns it, wherever the metrics are scraped from.
 */
export function observeVmUsage(
  metrics: NodeMetrics,
  config: Pick<AetherConfig, 'metricsPerVm' | 'workerId'>,
  store: Pick<Store, 'listVms'>,
  plane: Pick<DataPlane, 'usage'>,
): void {
  if (!config.metricsPerVm) return;
  registerVmUsageMetrics(metrics.registry, {
    store,
    workerId: config.workerId,
    usage: (vm) => plane.usage({ id: vm.id, driver: vm.driver }),
  });
}

/** The separate `/metrics` listener, when `metricsPort` is set; a port it cannot bind names the option. */
export async function serveNodeMetrics(
  registry: Registry,
  config: AetherConfig,
  logger: Logger,
): Promise<MetricsServer | null> {
  if (config.metricsPort === null) return null;
  const where = `${config.metricsHost}:${config.metricsPort}`;
  try {
    return await startMetricsServer(registry, { host: config.metricsHost, port: config.metricsPort }, logger);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const option = code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? 'metricsHost' : 'metricsPort';
    throw startupError(
      'ERR_CONFIG',
      `cannot serve metrics on ${where} (${code ?? (error as Error).message})`,
      option,
      error,
    );
  }
}
