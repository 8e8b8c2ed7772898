import type { AetherConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { ReadinessReport } from '../gateway/context.js';
import type { IntegrationPlatform } from '../integrations/platform.js';
import {
  createIntegrationRegistry,
  type IntegrationRegistry,
  integrationSettings,
} from '../integrations/registry.js';
import type { TaskService } from '../service/task-service.js';
import type { Backends } from './backends.js';

/**
 * The platform as integrations see it: the task service's use cases (never HTTP to ourselves),
 * plus the readiness probes and queue depth for `/aetherium-status`.
 */
function platformOf(
  service: TaskService,
  backends: Backends,
  readiness: () => Promise<ReadinessReport>,
): IntegrationPlatform {
  return {
    createVm: (access, input) => service.createVm(access, input),
    execute: (access, vm, input) => service.execute(access, vm, input),
    deleteVm: (access, vm) => service.deleteVm(access, vm),
    waitForTask: (id, timeoutMs) => service.waitForTask(id, timeoutMs),
    getTask: (access, id) => service.getTask(access, id),
    getExecution: (access, id) => service.getExecution(access, id),
    readExecutionOutput: (execution, options) => service.readExecutionOutput(execution, options),
    getVm: (access, vm) => service.getVm(access, vm),
    listVms: (access, filter) => service.listVms(access, filter),
    listWorkers: () => service.listWorkers(),
    async status() {
      const [report, depth] = await Promise.all([readiness(), backends.queue.depth().catch(() => ({}))]);
      const queueDepth = Object.values(depth).reduce(
        (sum, byPriority) => sum + Object.values(byPriority).reduce((a, b) => a + b, 0),
        0,
      );
      return {
        ok: report.ok,
        components: Object.fromEntries(
          Object.entries(report.components).map(([name, c]) => [name, { ok: c.ok, message: c.message }]),
        ),
        queueDepth,
      };
    },
  };
}

/** The integrations a gateway runs (GitHub, Slack), or null when none is on. */
export function openIntegrations(
  config: AetherConfig,
  service: TaskService,
  backends: Backends,
  readiness: () => Promise<ReadinessReport>,
  logger: Logger,
): { registry: IntegrationRegistry; line: string } | null {
  const settings = integrationSettings(config);
  if (!settings.github && !settings.slack) return null;
  const registry = createIntegrationRegistry(settings, {
    platform: platformOf(service, backends, readiness),
    events: backends.events,
    claimDelivery: (integration, id, ttlMs) => backends.store.claimWebhookDelivery(integration, id, ttlMs),
    logger: logger.child({ component: 'integrations' }),
  });
  return {
    registry,
    line: `integrations: ${registry.names.join(', ')} (webhooks at /api/v1/webhooks/{${registry.names.join(',')}}; VMs in project ${config.integrationsProject})`,
  };
}
