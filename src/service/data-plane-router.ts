/**
 * Which data plane serves a VM: this process's own worker when it owns the VM (`aether up`, or a
 * node running both roles), else the owning worker's internal listener at the address it
 * registered, with the cluster secret.
 */
import type { DataPlane } from '../core/data-plane.js';
import { AetherError } from '../core/errors.js';
import type { Store } from '../core/store.js';
import { HEARTBEATING_STATUSES } from '../core/worker.js';
import { RemoteDataPlane } from './remote-data-plane.js';
import type { DataPlaneRouter } from './vm-plane-access.js';

export interface DataPlaneRouting {
  /** The worker in this process and its plane, if this node runs one. */
  local?: { workerId: string; plane: DataPlane };
  /** The cluster secret, needed to reach workers in other processes. */
  clusterSecret?: string;
}

export function dataPlaneRouter(store: Pick<Store, 'getWorker'>, routing: DataPlaneRouting): DataPlaneRouter {
  const remotes = new Map<string, RemoteDataPlane>();
  return async (vm) => {
    if (!vm.workerId) throw new AetherError('ERR_VM_NOT_RUNNING', `VM ${vm.name} has no worker`);
    if (routing.local && vm.workerId === routing.local.workerId) return routing.local.plane;
    const worker = await store.getWorker(vm.workerId);
    if (!worker || !HEARTBEATING_STATUSES.includes(worker.status)) {
      throw new AetherError(
        'ERR_NO_WORKER',
        `worker ${vm.workerId}, which owns VM ${vm.name}, is not running`,
      );
    }
    if (!worker.dataUrl) {
      throw new AetherError(
        'ERR_UNSUPPORTED',
        `worker ${worker.id} offers no data plane: start it with AETHER_CLUSTER_SECRET set (and AETHER_DATA_PLANE_ADDRESS reachable from gateways)`,
      );
    }
    if (!routing.clusterSecret) {
      throw new AetherError(
        'ERR_UNSUPPORTED',
        'this gateway cannot reach workers in other processes: set AETHER_CLUSTER_SECRET, the same on gateways and workers',
      );
    }
    const key = `${worker.id} ${worker.dataUrl}`;
    let remote = remotes.get(key);
    if (!remote) {
      remote = new RemoteDataPlane(worker.dataUrl, routing.clusterSecret);
      remotes.set(key, remote);
    }
    return remote;
  };
}
