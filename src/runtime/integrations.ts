import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ReadinessReport } from '../gateway/context.js';
import type { IntegrationPlatform } from '../integrations/platform.js';
import {
  anyIntegrationOn,
  createIntegrationRegistry,
  type IntegrationRegistry,
  integrationSettings,
} from '../integrations/registry.js';
import type { DataService } from '../service/data-service.js';
import type { Services } from '../service/services.js';
import type { Backends } from './backends.js';
import type { AetherConfig } from './config.js';

/**
 * The platform as integrations see it: the services' use cases (never HTTP to ourselves),
 * plus the readiness probes and queue depth for `/aetherium-status`.
 */
function platformOf(
  { vms, executions, output, tasks, workers }: Services,
  data: DataService,
  backends: Backends,
  readiness: () => Promise<ReadinessReport>,
): IntegrationPlatform {
  return {
    createVm: (access, input) => vms.create(access, input),
    execute: (access, vm, input) => executions.start(access, vm, input),
    deleteVm: (access, vm) => vms.delete(access, vm),
    waitForTask: (id, timeoutMs) => tasks.wait(id, timeoutMs),
    getTask: (access, id) => tasks.get(access, id),
    followOutput: (access, id, options) => output.follow(access, id, options),
    uploadTree: (access, vm, dir, tar, options) =>
      data.upload(access, vm, dir, tar, { format: 'tar', signal: options?.signal }),
    async downloadTree(access, vm, dir, options) {
      const download = await data.download(access, vm, dir, { format: 'tar', signal: options?.signal });
      // A file or a symlink standing where the tree was would pack as one entry: no tree at all.
      if (download.entry.type !== 'directory') {
        download.body.destroy();
        throw new AetherError(
          'ERR_NOT_A_DIRECTORY',
          `${dir} in VM ${vm} is a ${download.entry.type}, not a directory`,
        );
      }
      return download.body;
    },
    getVm: (access, vm) => vms.get(access, vm),
    listVms: (access, filter) => vms.list(access, filter),
    listWorkers: () => workers.list(),
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

/**
 * The integrations a gateway runs (those of src/integrations/modules.ts that the configuration
 * turns on), or null when none is on.
 */
export async function openIntegrations(
  config: AetherConfig,
  services: Services,
  data: DataService,
  backends: Backends,
  readiness: () => Promise<ReadinessReport>,
  logger: Logger,
): Promise<{ registry: IntegrationRegistry; line: string } | null> {
  const settings = integrationSettings(config);
  if (!anyIntegrationOn(settings)) return null;
  const registry = await createIntegrationRegistry(settings, {
    platform: platformOf(services, data, backends, readiness),
    events: backends.events,
    claimDelivery: (integration, id, ttlMs) => backends.store.claimWebhookDelivery(integration, id, ttlMs),
    logger: logger.child({ component: 'integrations' }),
  });
  return {
    registry,
    line: `integrations: ${registry.names.join(', ')} (webhooks at /api/v1/webhooks/{${registry.names.join(',')}}; VMs in project ${config.integrationsProject})`,
  };
}
