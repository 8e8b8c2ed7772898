import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { DataPlane } from '../core/data-plane.js';
import type { VmDriver } from '../core/driver.js';
import type { Logger } from '../core/logger.js';
import type { TaskType } from '../core/task.js';
import { parseDefaultTools } from '../core/tool-catalog.js';
import { VERSION } from '../core/version.js';
import type { DriverName } from '../core/vm.js';
import { buildGateway } from '../gateway/app.js';
import { createLogShippingMetrics } from '../metrics/log-metrics.js';
import { createStreamMetrics } from '../metrics/stream-metrics.js';
import { dataPlaneRouter } from '../service/data-plane-router.js';
import { DataService } from '../service/data-service.js';
import { startExpiryLoop } from '../service/expiry.js';
import { PortService } from '../service/port-service.js';
import { startReaper } from '../service/reaper.js';
import { createServices, type Services } from '../service/services.js';
import { TerminalService } from '../service/terminal-service.js';
import { localDataPlane } from '../worker/data-plane/local-data-plane.js';
import { RunningCommands } from '../worker/running-commands.js';
import { createWorker, type Worker } from '../worker/worker.js';
import {
  buildAuthenticator,
  checkExposure,
  credentialsPath,
  ensureLocalAdminKey,
  quotaLookup,
} from './auth.js';
import { type Backends, openBackends } from './backends.js';
import type { AetherConfig } from './config.js';
import { openDataPlaneListener } from './data-plane.js';
import { DRIVER_CATALOG, openDrivers } from './drivers.js';
import { openIntegrations } from './integrations.js';
import { logShippingSettings, openNodeLogging } from './logging.js';
import { openVmNetwork } from './network.js';
import { createNodeMetrics, observeVmUsage, serveNodeMetrics } from './node-metrics.js';
import { openOutboundWebhooks } from './outbound-webhooks.js';
import { dashboardPath } from './paths.js';
import { checkListenable } from './port-check.js';
import { healthCheck, readinessCheck } from './readiness.js';
import { readToolCaFile } from './tool-ca.js';

/** A Redis connection of its own for shared rate-limit counters (loaded only in cluster mode). */
async function openRateLimitRedis(url: string) {
  const { Redis } = await import('ioredis');
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
}

export interface NodeRoles {
  gateway: boolean;
  worker: boolean;
}

export interface RunningNode {
  /** Base URL of the gateway, when this node runs one. */
  url: string | null;
  /** The admin key saved for this gateway in the credentials file (null with auth off or no gateway). */
  localAdminKey: string | null;
  backends: Backends;
  services: Services;
  worker: Worker | null;
  app: FastifyInstance | null;
  /** The separate metrics listener's URL, when `metricsPort` is set. */
  metricsUrl: string | null;
  banner: string[];
  close(): Promise<void>;
}

export function taskTimeouts(config: AetherConfig): Record<TaskType, number> {
  return {
    'vm:create': config.createTimeoutMs,
    'vm:execute': config.executeTimeoutMs,
    'vm:delete': config.deleteTimeoutMs,
    'job:run': config.executeTimeoutMs * 3,
    'vm:snapshot': config.createTimeoutMs,
    'snapshot:delete': config.deleteTimeoutMs,
    'vm:stop': config.deleteTimeoutMs,
    'vm:start': config.createTimeoutMs,
    'vm:pause': config.deleteTimeoutMs,
    'vm:resume': config.deleteTimeoutMs,
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
  stderrLogger: Logger,
  roles: NodeRoles,
  opened: (() => Promise<void>)[],
): Promise<RunningNode> {
  // Before anything opens: an exposed gateway without auth is refused outright, and a port in
  // use is reported at once rather than after the store, the drivers and the worker started.
  if (roles.gateway) {
    checkExposure(config);
    await checkListenable(config.host, config.port);
  }
  const backends = await openBackends(config, stderrLogger);
  opened.push(() => backends.close());
  // From here every line also goes to Loki or the store; shipping closes before the store does.
  const logging = openNodeLogging(config, stderrLogger, backends.store, roles);
  opened.push(() => logging.shipping.close());
  const logger = logging.logger;
  // Only a worker runs VMs: a gateway opens no driver (no warm sandboxes, no host checks); the
  // drivers a cluster offers come from its workers' registrations.
  const {
    drivers,
    describe: driverLines,
    tapGroup,
  } = roles.worker
    ? await openDrivers(config, logger)
    : { drivers: new Map<DriverName, VmDriver>(), describe: [] as string[], tapGroup: undefined };
  opened.push(async () => {
    for (const driver of drivers.values()) await driver.close();
  });
  const services = createServices(
    {
      store: backends.store,
      queue: backends.queue,
      events: backends.events,
      logger: logger.child({ component: 'service' }),
    },
    {
      defaultDriver: config.driver,
      drivers: DRIVER_CATALOG,
      timeouts: taskTimeouts(config),
      maxWaitMs: config.waitTimeoutMs,
      quotaFor: quotaLookup(config),
      defaultTools: parseDefaultTools(config.defaultTools),
      toolInstallTimeoutMs: config.toolInstallTimeoutMs,
      lifetimeDefaults: {
        ttlSeconds: config.defaultTtlSeconds,
        idleTimeoutSeconds: config.defaultIdleTimeoutSeconds,
        onExpiry: config.defaultOnExpiry,
      },
    },
  );
  const banner = [
    ...backends.describe,
    ...(roles.worker ? [`drivers: ${[...drivers.keys()].join(', ')}`, ...driverLines] : []),
  ];
  const metrics = createNodeMetrics(roles, config.workerId, backends);
  logging.shipping.observe(createLogShippingMetrics(metrics.registry, logging.shipping.buffered));
  // Before the roles start: a port that cannot be bound stops the node before it takes work.
  const metricsServer = await serveNodeMetrics(metrics.registry, config, logger);
  if (metricsServer) {
    opened.push(() => metricsServer.close());
    banner.push(`metrics: ${metricsServer.url} (no authentication)`);
  }

  let worker: Worker | null = null;
  let localPlane: { workerId: string; plane: DataPlane } | undefined;
  // The worker's data plane outlives the worker's queue (a drain still serves its VMs' files),
  // then closes: its listener, left open, kept a stopped worker's process alive.
  let closeDataPlane: () => Promise<void> = async () => {};
  if (roles.worker) {
    const hostNetwork = await openVmNetwork(config, logger, backends.store, drivers, tapGroup);
    if (hostNetwork) banner.push(hostNetwork.line);
    const commands = new RunningCommands();
    const plane = localDataPlane(
      drivers,
      commands,
      {
        terminalDetachGraceMs: config.terminalDetachGraceMs,
        maxTerminalsPerVm: config.maxTerminalsPerVm,
        tunnelIdleMs: config.tunnelIdleTimeoutMs,
        maxTunnelsPerVm: config.maxTunnelsPerVm,
      },
      createStreamMetrics(metrics.registry),
    );
    // Terminal commands end with the worker (they have no client left to serve).
    opened.push(async () => plane.close());
    observeVmUsage(metrics, config, backends.store, plane);
    localPlane = { workerId: config.workerId, plane };
    // Before the worker registers: the address it registers must already answer.
    const dataPlane = await openDataPlaneListener(config, plane, logger);
    if (dataPlane) {
      opened.push(() => dataPlane.close());
      banner.push(`data plane: ${dataPlane.url} (gateways reach it at ${dataPlane.advertised})`);
    }
    closeDataPlane = async () => {
      await dataPlane?.close();
      await plane.close();
    };
    worker = createWorker(
      {
        commands,
        store: backends.store,
        queue: backends.queue,
        events: backends.events,
        drivers,
        logger,
        logSink: logging.shipping.sink,
        metrics: metrics.worker ?? undefined,
        ...(hostNetwork ? { network: hostNetwork.network } : {}),
      },
      {
        workerId: config.workerId,
        host: os.hostname(),
        version: VERSION,
        concurrency: config.workerConcurrency,
        outputLimitBytes: config.outputLimitBytes,
        reconcileIntervalMs: config.reconcileIntervalMs,
        healthIntervalMs: config.healthIntervalMs,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        leaseMs: config.workerLeaseMs,
        drainTimeoutMs: config.drainTimeoutMs,
        toolInstallTimeoutMs: config.toolInstallTimeoutMs,
        ...(config.toolCaFile ? { toolCaPem: readToolCaFile(config.toolCaFile) } : {}),
        ...(dataPlane ? { dataUrl: dataPlane.advertised } : {}),
      },
    );
    opened.push(() => worker?.stop() ?? Promise.resolve());
    await worker.start();
    banner.push(`worker: ${config.workerId} (concurrency ${config.workerConcurrency})`);
  }
  // Files, stdin and signals: this node's own worker in process, other workers over their listener.
  const dataDeps = {
    store: backends.store,
    queue: backends.queue,
    events: backends.events,
    logger: logger.child({ component: 'data-plane' }),
  };
  const planeFor = dataPlaneRouter(backends.store, {
    ...(localPlane ? { local: localPlane } : {}),
    ...(config.clusterSecret ? { clusterSecret: config.clusterSecret } : {}),
  });
  const data = new DataService(dataDeps, planeFor);
  const terminals = new TerminalService(dataDeps, planeFor);
  const ports = new PortService(dataDeps, planeFor);
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
  // Every node ends VMs past their lifetime: each expiry is claimed once in the store.
  const expiry = startExpiryLoop(
    {
      store: backends.store,
      queue: backends.queue,
      events: backends.events,
      logger: logger.child({ component: 'expiry' }),
    },
    { timeouts: taskTimeouts(config), intervalMs: config.lifetimeCheckIntervalMs },
  );
  opened.push(() => expiry.stop());

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  let localAdminKey: string | null = null;
  let closeIntegrations: () => Promise<void> = async () => {};
  let stopOutboundWebhooks: () => Promise<void> = async () => {};
  // Its own connection, so nothing else closes it: left open, it kept a stopped gateway alive.
  let closeRateLimitRedis: () => void = () => {};
  if (roles.gateway) {
    const auth = buildAuthenticator(config, backends.store);
    const rateLimitRedis = config.redisUrl ? await openRateLimitRedis(config.redisUrl) : undefined;
    if (rateLimitRedis) {
      closeRateLimitRedis = () => rateLimitRedis.disconnect();
      opened.push(async () => closeRateLimitRedis());
    }
    const readiness = readinessCheck(backends);
    const shipping = logShippingSettings(config);
    const health = healthCheck({
      ...backends,
      ...(shipping.provider === 'loki' ? { loki: shipping.loki } : {}),
    });
    const integrations = await openIntegrations(config, services, data, backends, readiness, logger);
    if (integrations) {
      opened.push(() => integrations.registry.close());
      closeIntegrations = () => integrations.registry.close();
      banner.push(integrations.line);
    }
    const outbound = openOutboundWebhooks(config, backends.store, logger);
    opened.push(() => outbound.stop());
    stopOutboundWebhooks = () => outbound.stop();
    app = await buildGateway(
      {
        services,
        apiKeys: auth.apiKeys,
        auth,
        output: services.output,
        readiness,
        health,
        data,
        terminals,
        ports,
        ...(integrations ? { webhooks: integrations.registry } : {}),
        outboundWebhooks: outbound.service,
        metrics: metrics.gateway ?? undefined,
        logs: logging.shipping.reader,
        logger,
        version: VERSION,
      },
      {
        bodyLimitBytes: config.bodyLimitBytes,
        maxWaitMs: config.waitTimeoutMs,
        requestTimeoutMs: config.requestTimeoutMs,
        drivers: DRIVER_CATALOG,
        dashboardDir: dashboardPath(config.dashboardDir),
        previews: {
          ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
          ...(config.previewDomain ? { domain: config.previewDomain } : {}),
        },
        security: {
          rateLimit: {
            max: config.rateLimitMax,
            windowMs: config.rateLimitWindowMs,
            ...(rateLimitRedis ? { redis: rateLimitRedis } : {}),
          },
          corsOrigins: config.corsOrigins
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
          ownOrigins: config.publicUrl ? [config.publicUrl] : [],
        },
      },
    );
    const built = app;
    opened.push(() => built.close());
    const address = await app.listen({ host: config.host, port: config.port });
    url = address.replace('[::1]', 'localhost');
    localAdminKey = await ensureLocalAdminKey(config, auth.apiKeys, url, logger);
    banner.push(
      `gateway: ${url}/api/v1 (dashboard at ${url}/, OpenAPI at ${url}/api/v1/openapi.json, docs at ${url}/docs)`,
    );
    banner.push(
      config.auth === 'off'
        ? 'auth: off (loopback only): every caller is an admin'
        : `auth: API keys${auth.jwt ? ' and JWTs' : ''}; the local admin key is in ${credentialsPath(config)}; sign in to the dashboard with a key from \`aether key create <name>\``,
    );
  }

  return {
    url,
    localAdminKey,
    backends,
    services,
    worker,
    app,
    metricsUrl: metricsServer?.url ?? null,
    banner,
    async close() {
      await metricsServer?.close();
      await app?.close();
      // Requests are answered by now: nothing counts against the limits any more.
      closeRateLimitRedis();
      // Runs webhooks started finish (bounded) while the service and the worker still serve them.
      await closeIntegrations();
      await stopOutboundWebhooks();
      services.close();
      await reaper.stop();
      await expiry.stop();
      await worker?.stop();
      await closeDataPlane();
      await logging.shipping.close();
      await backends.close();
      for (const driver of drivers.values()) await driver.close();
    },
  };
}
