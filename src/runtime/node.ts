import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { AetherConfig } from '../core/config.js';
import type { VmDriver } from '../core/driver.js';
import type { Logger } from '../core/logger.js';
import type { TaskType } from '../core/task.js';
import { VERSION } from '../core/version.js';
import type { DriverName } from '../core/vm.js';
import { buildGateway } from '../gateway/app.js';
import type { ComponentHealth, HealthReport } from '../gateway/context.js';
import { startReaper } from '../service/reaper.js';
import { TaskService } from '../service/task-service.js';
import { createWorker, type Worker } from '../worker/worker.js';
import { type Backends, openBackends } from './backends.js';
import { openDrivers } from './drivers.js';

export interface NodeRoles {
  gateway: boolean;
  worker: boolean;
}

export interface RunningNode {
  /** Base URL of the gateway, when this node runs one. */
  url: string | null;
  backends: Backends;
  service: TaskService;
  worker: Worker | null;
  app: FastifyInstance | null;
  banner: string[];
  close(): Promise<void>;
}

export function taskTimeouts(config: AetherConfig): Record<TaskType, number> {
  return {
    'vm:create': config.createTimeoutMs,
    'vm:execute': config.executeTimeoutMs,
    'vm:delete': config.deleteTimeoutMs,
    'job:run': config.executeTimeoutMs * 3,
  };
}

async function timed(check: () => Promise<unknown>, ok: string): Promise<ComponentHealth> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, message: ok, latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function healthCheck(backends: Backends, drivers: ReadonlyMap<DriverName, VmDriver>) {
  return async (): Promise<HealthReport> => {
    const components: Record<string, ComponentHealth> = {
      store: await timed(() => backends.store.ping(), backends.store.kind),
      queue: await timed(() => backends.queue.ping(), backends.queue.kind),
    };
    for (const [name, driver] of drivers) {
      const started = performance.now();
      const health = await driver.health().catch((error: Error) => ({ ok: false, message: error.message }));
      components[`driver:${name}`] = {
        ...health,
        latency_ms: Math.round((performance.now() - started) * 10) / 10,
      };
    }
    return { ok: Object.values(components).every((c) => c.ok), components };
  };
}

/**
 * Wire one node from its configuration: `aether up` runs both roles over embedded backends;
 * the same code with server URLs runs a gateway or a worker of a cluster.
 */
export async function startNode(
  config: AetherConfig,
  logger: Logger,
  roles: NodeRoles,
): Promise<RunningNode> {
  // Whatever opened before a later step failed is closed again, newest first.
  const opened: (() => Promise<void>)[] = [];
  try {
    return await wireNode(config, logger, roles, opened);
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => {});
    throw error;
  }
}

async function wireNode(
  config: AetherConfig,
  logger: Logger,
  roles: NodeRoles,
  opened: (() => Promise<void>)[],
): Promise<RunningNode> {
  const backends = await openBackends(config, logger);
  opened.push(() => backends.close());
  const { drivers, describe: driverLines } = await openDrivers(config, logger);
  opened.push(async () => {
    for (const driver of drivers.values()) await driver.close();
  });
  const service = new TaskService(
    {
      store: backends.store,
      queue: backends.queue,
      events: backends.events,
      logger: logger.child({ component: 'service' }),
    },
    {
      defaultDriver: config.driver,
      availableDrivers: [...drivers.keys()],
      timeouts: taskTimeouts(config),
      maxWaitMs: config.waitTimeoutMs,
    },
  );
  const banner = [...backends.describe, `drivers: ${[...drivers.keys()].join(', ')}`, ...driverLines];

  let worker: Worker | null = null;
  if (roles.worker) {
    worker = createWorker(
      { store: backends.store, queue: backends.queue, events: backends.events, drivers, logger },
      {
        workerId: config.workerId,
        host: os.hostname(),
        version: VERSION,
        concurrency: config.workerConcurrency,
        outputLimitBytes: config.outputLimitBytes,
        reconcileIntervalMs: config.reconcileIntervalMs,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        leaseMs: config.workerLeaseMs,
        drainTimeoutMs: config.drainTimeoutMs,
      },
    );
    opened.push(() => worker?.stop() ?? Promise.resolve());
    await worker.start();
    banner.push(`worker: ${config.workerId} (concurrency ${config.workerConcurrency})`);
  }
  // Every node watches for dead workers: a cluster with any gateway or worker alive settles them.
  const reaper = startReaper(
    {
      store: backends.store,
      queue: backends.queue,
      events: backends.events,
      logger: logger.child({ component: 'reaper' }),
    },
    { graceMs: config.workerGraceMs, intervalMs: config.heartbeatIntervalMs },
  );
  opened.push(() => reaper.stop());

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.gateway) {
    app = await buildGateway(
      { service, events: backends.events, health: healthCheck(backends, drivers), logger, version: VERSION },
      { bodyLimitBytes: config.bodyLimitBytes, maxWaitMs: config.waitTimeoutMs },
    );
    const built = app;
    opened.push(() => built.close());
    const address = await app.listen({ host: config.host, port: config.port });
    url = address.replace('[::1]', 'localhost');
    banner.push(`gateway: ${url}/api/v1 (OpenAPI at ${url}/api/v1/openapi.json)`);
  }

  return {
    url,
    backends,
    service,
    worker,
    app,
    banner,
    async close() {
      await app?.close();
      service.close();
      await reaper.stop();
      await worker?.stop();
      await backends.close();
      for (const driver of drivers.values()) await driver.close();
    },
  };
}
