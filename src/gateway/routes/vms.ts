import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AetherError } from '../../core/errors.js';
import { VM_STATUSES, type VmStatus } from '../../core/vm.js';
import { parseLabelSelectors } from '../../core/vm-labels.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps, GatewaySettings } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { executionJson, vmJson } from '../serialize.js';
import { replyToWrite } from '../write-reply.js';

function parseStatuses(raw: string | undefined): VmStatus[] | undefined {
  if (!raw) return undefined;
  const wanted = raw.split(',').map((s) => s.trim());
  const unknown = wanted.filter((s) => !(VM_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new AetherError(
      'ERR_VALIDATION',
      `unknown status ${unknown.join(', ')}; use ${VM_STATUSES.join(', ')}`,
    );
  }
  return wanted as VmStatus[];
}

export function vmRoutes(deps: GatewayDeps, settings: GatewaySettings): FastifyPluginAsyncZod {
  const { vms, executions } = deps.services;
  return async (app) => {
    app.post('/vms', routeOptions('createVm'), async (request, reply) => {
      const {
        name,
        driver,
        vcpus,
        memory_mib,
        image,
        network,
        metadata,
        labels,
        from_snapshot,
        additional_tools,
        tool_versions,
        ttl_seconds,
        idle_timeout_seconds,
        on_expiry,
        restart_policy,
        restart_max,
        priority,
        timeout_ms,
      } = request.body;
      const { task, vm } = await vms.create(
        accessFor(request),
        {
          name,
          driver,
          vcpus,
          memoryMiB: memory_mib,
          image,
          network,
          metadata,
          labels,
          fromSnapshot: from_snapshot,
          additionalTools: additional_tools,
          toolVersions: tool_versions,
          ttlSeconds: ttl_seconds,
          idleTimeoutSeconds: idle_timeout_seconds,
          onExpiry: on_expiry,
          restartPolicy: restart_policy,
          restartMax: restart_max,
        },
        { priority, timeoutMs: timeout_ms },
      );
      return replyToWrite(deps, settings, reply, task, request.query, async () => ({
        vm: vmJson(request.query.wait ? await vms.get(accessFor(request), vm.id) : vm),
      }));
    });

    app.get('/vms', routeOptions('listVms'), async (request) => {
      const status = parseStatuses(request.query.status);
      const { label } = request.query;
      const labels = label === undefined ? undefined : parseLabelSelectors([label].flat());
      const listed = await vms.list(accessFor(request), {
        ...(status ? { status } : {}),
        ...(labels ? { labels } : {}),
        includeDeleted: request.query.include_deleted,
        ...(request.query.limit ? { limit: request.query.limit } : {}),
      });
      return { vms: listed.map(vmJson) };
    });

    app.get('/vms/:id', routeOptions('getVm'), async (request) =>
      vmJson(await vms.get(accessFor(request), request.params.id)),
    );

    app.delete('/vms/:id', routeOptions('deleteVm'), async (request, reply) => {
      const { task, vm } = await vms.delete(accessFor(request), request.params.id);
      return replyToWrite(deps, settings, reply, task, request.query, async () => ({
        vm: vmJson(request.query.wait ? await vms.get(accessFor(request), vm.id) : vm),
      }));
    });

    // The power verbs: each queues a task on the VM's worker and answers like delete.
    for (const [path, operation, act] of [
      ['/vms/:id/stop', 'stopVm', 'stop'],
      ['/vms/:id/start', 'startVm', 'start'],
      ['/vms/:id/pause', 'pauseVm', 'pause'],
      ['/vms/:id/resume', 'resumeVm', 'resume'],
    ] as const) {
      app.post(path, routeOptions(operation), async (request, reply) => {
        // Only pause has an option of its own: `?hibernate=true`.
        const hibernate = 'hibernate' in request.query && request.query.hibernate === true;
        const { task, vm } = await vms[act](
          accessFor(request),
          request.params.id,
          hibernate ? { hibernate } : {},
        );
        return replyToWrite(deps, settings, reply, task, request.query, async () => ({
          vm: vmJson(request.query.wait ? await vms.get(accessFor(request), vm.id) : vm),
        }));
      });
    }

    app.post('/vms/:id/extend', routeOptions('extendVm'), async (request) =>
      vmJson(await vms.extend(accessFor(request), request.params.id, request.body.ttl_seconds)),
    );

    app.get('/vms/:id/executions', routeOptions('listExecutions'), async (request) => {
      const listed = await executions.list(accessFor(request), request.params.id, request.query.limit);
      return { executions: listed.map(executionJson) };
    });
  };
}
