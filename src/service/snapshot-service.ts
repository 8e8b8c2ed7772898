import { AetherError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Access } from '../core/principal.js';
import { SNAPSHOT_DELETABLE, type SnapshotRecord, type SnapshotStatus } from '../core/snapshot.js';
import { TASK_POLICIES, type TaskRecord } from '../core/task.js';
import { isVmLive, vmNotRunning } from '../core/vm.js';
import { recordAndEnqueue } from './dispatch.js';
import type { TaskOptions } from './inputs.js';
import type { ServiceDeps, ServiceSettings } from './service-context.js';
import { requireSnapshot, requireVm } from './visibility.js';
import { checkSnapshotSupported } from './vm-features.js';
import { newVmTask } from './vm-task.js';

/**
 * Snapshots: saved on the worker that runs their VM, belonging to the VM's project; another
 * project's snapshot answers exactly as a missing one. (A VM made from one: VmService.create.)
 */
export class SnapshotService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly settings: Pick<ServiceSettings, 'timeouts' | 'drivers'>,
  ) {}

  /** Saves a running VM on its worker; the snapshot belongs to the VM's project. */
  async take(
    access: Access,
    vmIdOrName: string,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; snapshot: SnapshotRecord }> {
    const vm = await requireVm(this.deps.store, access, vmIdOrName);
    checkSnapshotSupported(vm.driver, this.settings.drivers);
    if (vm.status !== 'running') throw vmNotRunning(vm, 'snapshots are taken');
    const snapshot = await this.deps.store.insertSnapshot({
      id: newId(),
      project: vm.project,
      sourceVmId: vm.id,
      driver: vm.driver,
      workerId: vm.workerId,
      image: vm.image,
      vcpus: vm.vcpus,
      memoryMiB: vm.memoryMiB,
    });
    const task = await recordAndEnqueue(
      this.deps,
      newVmTask('vm:snapshot', { vmId: vm.id, snapshotId: snapshot.id }, vm, options, this.settings.timeouts),
      { vm },
    );
    return { task, snapshot };
  }

  get(access: Access, id: string): Promise<SnapshotRecord> {
    return requireSnapshot(this.deps.store, access, id);
  }

  /** The caller's snapshots (every project's for an `all` access), newest first. */
  async list(
    access: Access,
    filter: {
      vm?: string;
      status?: readonly SnapshotStatus[];
      includeDeleted?: boolean;
      limit?: number;
    } = {},
  ): Promise<SnapshotRecord[]> {
    const source =
      filter.vm === undefined
        ? undefined
        : await requireVm(this.deps.store, access, filter.vm, { includeDeleted: true });
    return this.deps.store.listSnapshots({
      ...(access.all ? {} : { project: access.project }),
      ...(source ? { sourceVmId: source.id } : {}),
      ...(filter.status === undefined ? {} : { status: filter.status }),
      ...(filter.includeDeleted ? { includeDeleted: true } : {}),
      ...(filter.limit === undefined ? {} : { limit: filter.limit }),
    });
  }

  /**
   * Deletes a snapshot's files on its worker and records it `deleted`. Refused while VMs made
   * from it are alive (ERR_SNAPSHOT_IN_USE: their disks may read its files) and while it is
   * still being saved. When its worker is gone, any worker records the deletion.
   */
  async delete(
    access: Access,
    id: string,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; snapshot: SnapshotRecord }> {
    const snapshot = await this.get(access, id);
    if (!SNAPSHOT_DELETABLE.includes(snapshot.status)) {
      throw new AetherError(
        snapshot.status === 'pending' ? 'ERR_SNAPSHOT_NOT_READY' : 'ERR_INVALID_TRANSITION',
        snapshot.status === 'pending'
          ? `snapshot ${snapshot.id} is still being saved; delete it once it is ready or failed`
          : `snapshot ${snapshot.id} is already ${snapshot.status}`,
        { details: { snapshotId: snapshot.id, status: snapshot.status } },
      );
    }
    const users = (
      await this.deps.store.listVms({ project: snapshot.project, fromSnapshot: snapshot.id })
    ).filter((vm) => isVmLive(vm.status));
    if (users.length > 0) {
      throw new AetherError(
        'ERR_SNAPSHOT_IN_USE',
        `snapshot ${snapshot.id} is in use by ${users.length} VM(s) (${users
          .slice(0, 5)
          .map((vm) => vm.name)
          .join(', ')}${users.length > 5 ? ', ...' : ''}); delete them first`,
        { details: { snapshotId: snapshot.id, vms: users.map((vm) => vm.id) } },
      );
    }
    const deleting = await this.deps.store.transitionSnapshot(snapshot.id, {
      from: SNAPSHOT_DELETABLE,
      to: 'deleting',
      reason: 'delete requested',
    });
    if (!deleting) {
      throw new AetherError(
        'ERR_INVALID_TRANSITION',
        `snapshot ${snapshot.id} changed while being deleted; try again`,
        {
          details: { snapshotId: snapshot.id },
        },
      );
    }
    const worker = snapshot.workerId === null ? null : await this.deps.store.getWorker(snapshot.workerId);
    const workerId = worker && worker.status !== 'dead' ? worker.id : null;
    const source = await this.deps.store.getVm(snapshot.sourceVmId);
    const task = await recordAndEnqueue(
      this.deps,
      {
        id: newId(),
        project: snapshot.project,
        type: 'snapshot:delete',
        priority: options.priority ?? 'default',
        payload: { snapshotId: snapshot.id, workerId },
        vmId: source?.id ?? null,
        maxRetries: TASK_POLICIES['snapshot:delete'].maxRetries,
        timeoutMs: options.timeoutMs ?? this.settings.timeouts['snapshot:delete'],
      },
      // Routed by its payload's worker.
      { vm: null },
    );
    return { task, snapshot: deleting };
  }
}
