/** A running VM's resource use, asked of the worker that owns it (a thin route over the data service). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { VmUsage } from '../../api/types.js';
import type { VmUsage as UsageSample } from '../../core/vm-usage.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { dataServiceOf } from './files.js';

export function usageRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/vms/:id/usage', routeOptions('getVmUsage'), async (request) => {
      const { vm, usage } = await dataServiceOf(deps).usage(accessFor(request), request.params.id);
      return usageJson(vm.id, usage);
    });
  };
}

export function usageJson(vmId: string, usage: UsageSample): VmUsage {
  return {
    vm_id: vmId,
    cpu_seconds: usage.cpuSeconds,
    memory_bytes: usage.memoryBytes,
    memory_peak_bytes: usage.memoryPeakBytes,
    disk_bytes: usage.diskBytes,
    processes: usage.processes,
    sampled_at: usage.sampledAt.toISOString(),
  };
}
