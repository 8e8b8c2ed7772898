import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Snapshot } from '../../api/types.js';
import type { SnapshotRecord } from '../../core/snapshot.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps, GatewaySettings } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { replyToWrite } from '../write-reply.js';

/** A snapshot as the API shows it (src/api/snapshots.ts). */
export function snapshotJson(snapshot: SnapshotRecord): Snapshot {
  return {
    id: snapshot.id,
    project: snapshot.project,
    source_vm_id: snapshot.sourceVmId,
    driver: snapshot.driver,
    worker_id: snapshot.workerId,
    image: snapshot.image,
    vcpus: snapshot.vcpus,
    memory_mib: snapshot.memoryMiB,
    state_path: snapshot.statePath,
    size_bytes: snapshot.sizeBytes,
    status: snapshot.status,
    status_reason: snapshot.statusReason,
    created_at: snapshot.createdAt.toISOString(),
    updated_at: snapshot.updatedAt.toISOString(),
  };
}

export function snapshotRoutes(deps: GatewayDeps, settings: GatewaySettings): FastifyPluginAsyncZod {
  const { snapshots } = deps.services;
  return async (app) => {
    app.post('/vms/:id/snapshots', routeOptions('snapshotVm'), async (request, reply) => {
      const access = accessFor(request);
      const { task, snapshot } = await snapshots.take(access, request.params.id);
      return replyToWrite(deps, settings, reply, task, request.query, async () => ({
        snapshot: snapshotJson(request.query.wait ? await snapshots.get(access, snapshot.id) : snapshot),
      }));
    });

    app.get('/snapshots', routeOptions('listSnapshots'), async (request) => {
      const { vm, status, include_deleted, limit } = request.query;
      const listed = await snapshots.list(accessFor(request), {
        ...(vm === undefined ? {} : { vm }),
        ...(status === undefined ? {} : { status }),
        includeDeleted: include_deleted,
        ...(limit === undefined ? {} : { limit }),
      });
      return { snapshots: listed.map(snapshotJson) };
    });

    app.delete('/snapshots/:id', routeOptions('deleteSnapshot'), async (request, reply) => {
      const access = accessFor(request);
      const { task, snapshot } = await snapshots.delete(access, request.params.id);
      return replyToWrite(deps, settings, reply, task, request.query, async () => ({
        snapshot: snapshotJson(request.query.wait ? await snapshots.get(access, snapshot.id) : snapshot),
      }));
    });

    app.get('/snapshots/:id', routeOptions('getSnapshot'), async (request) =>
      snapshotJson(await snapshots.get(accessFor(request), request.params.id)),
    );
  };
}
