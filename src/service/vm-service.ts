import { AetherError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Access } from '../core/principal.js';
import type { StateChange, VmFilter } from '../core/store.js';
import type { TaskRecord } from '../core/task.js';
import { resolveToolRequests } from '../core/tool-catalog.js';
import { DEFAULT_TOOL_INSTALL_TIMEOUT_MS } from '../core/tools.js';
import { checkVmName, type VmRecord, type VmStatus } from '../core/vm.js';
import { checkVmLabels } from '../core/vm-labels.js';
import type { VmRestartRequest } from '../core/vm-restart.js';
import { recordAndEnqueue } from './dispatch.js';
import type { CreateVmInput, TaskOptions } from './inputs.js';
import { OfferedDrivers } from './offered-drivers.js';
import type { ServiceDeps, ServiceSettings } from './service-context.js';
import { requireSnapshot, requireVm } from './visibility.js';
import { checkHibernateSupported, checkVmFeatures } from './vm-features.js';
import { extendLifetime, lifetimeOf, NO_LIFETIME_DEFAULTS } from './vm-lifetimes.js';
import { pauseOrResumeVm, startVm, stopVm, USER_DELETE_REASON } from './vm-power.js';
import { restartOf } from './vm-restarts.js';
import { newVmTask } from './vm-task.js';

/** Statuses from which a delete may start. */
const DELETABLE: readonly VmStatus[] = [
  'pending',
  'creating',
  'running',
  'paused',
  'stopped',
  'failed',
  'lost',
];

/**
 * VMs: create (booted, or from a snapshot), stop, start, extend, delete, read. What a create makes belongs to
 * `access.project`; a VM the caller cannot see answers as a missing one.
 */
export class VmService {
  private readonly offered: OfferedDrivers;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly settings: ServiceSettings,
  ) {
    this.offered = new OfferedDrivers(deps.store);
  }

  async create(
    access: Access,
    input: CreateVmInput,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    // Every entry point, not only the REST body's schema: integrations name VMs too.
    checkVmName(input.name);
    if (input.labels !== undefined) checkVmLabels(input.labels);
    const restart = restartOf(input);
    if (input.fromSnapshot !== undefined) return this.createFromSnapshot(access, input, restart, options);
    const driver = input.driver ?? this.settings.defaultDriver;
    checkVmFeatures(input, driver, this.settings.drivers);
    await this.offered.require(driver);
    const lifetime = lifetimeOf(input, this.settings.lifetimeDefaults ?? NO_LIFETIME_DEFAULTS);
    const requested = resolveToolRequests({
      defaults: this.settings.defaultTools ?? [],
      ...(input.additionalTools ? { additional: input.additionalTools } : {}),
      ...(input.toolVersions ? { versions: input.toolVersions } : {}),
    });
    const quota = this.settings.quotaFor?.(access.project);
    const vm = await this.deps.store.insertVm(
      {
        id: newId(),
        project: access.project,
        name: input.name,
        driver,
        vcpus: input.vcpus ?? 1,
        memoryMiB: input.memoryMiB ?? 256,
        image: input.image ?? null,
        network: input.network ?? false,
        metadata: input.metadata ?? {},
        labels: input.labels ?? {},
        tools: { requested, installed: [], missing: [], pathDirs: [] },
        lifetime,
        restart,
      },
      quota ? { quota } : {},
    );
    // Installing tools has its own deadline, on top of booting.
    const toolsMs =
      requested.length > 0 ? (this.settings.toolInstallTimeoutMs ?? DEFAULT_TOOL_INSTALL_TIMEOUT_MS) : 0;
    const timeoutMs = options.timeoutMs ?? this.settings.timeouts['vm:create'] + toolsMs;
    return this.enqueueCreate(vm, { vmId: vm.id }, { ...options, timeoutMs });
  }

  async delete(
    access: Access,
    idOrName: string,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    const vm = await requireVm(this.deps.store, access, idOrName);
    const stopping = await this.deps.store.transitionVm(vm.id, {
      from: DELETABLE,
      to: 'stopping',
      reason: 'user: delete requested',
    });
    if (!stopping) {
      throw new AetherError('ERR_INVALID_TRANSITION', `VM ${vm.name} is already ${vm.status}`, {
        details: { vmId: vm.id, status: vm.status },
      });
    }
    const task = await recordAndEnqueue(
      this.deps,
      newVmTask(
        'vm:delete',
        { vmId: vm.id, reason: USER_DELETE_REASON },
        vm,
        options,
        this.settings.timeouts,
      ),
      // Routed by the status before the delete: a lost VM's worker may never come back.
      { vm },
    );
    return { task, vm: stopping };
  }

  /** Stops a running VM, keeping its files; ERR_INVALID_TRANSITION for a VM in another status. */
  async stop(
    access: Access,
    idOrName: string,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    return stopVm(this.deps, this.settings, await requireVm(this.deps.store, access, idOrName), options);
  }

  /** Boots a stopped VM again, its files as they were; ERR_INVALID_TRANSITION for a VM in another status. */
  async start(
    access: Access,
    idOrName: string,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    return startVm(this.deps, this.settings, await requireVm(this.deps.store, access, idOrName), options);
  }

  /**
   * Freezes a running VM, keeping its memory (`resume` lets it run on), or with `hibernate` saves
   * its memory to disk and ends its VMM (ERR_VALIDATION where the driver cannot);
   * ERR_INVALID_TRANSITION for a VM that is not running.
   */
  async pause(
    access: Access,
    idOrName: string,
    options: TaskOptions & { hibernate?: boolean } = {},
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    const vm = await requireVm(this.deps.store, access, idOrName);
    const { hibernate = false, ...taskOptions } = options;
    if (hibernate) checkHibernateSupported(vm.driver, this.settings.drivers);
    return pauseOrResumeVm(this.deps, this.settings, vm, 'vm:pause', taskOptions, { hibernate });
  }

  /** Lets a paused VM run on; ERR_INVALID_TRANSITION for a VM that is not paused. */
  async resume(
    access: Access,
    idOrName: string,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    const vm = await requireVm(this.deps.store, access, idOrName);
    return pauseOrResumeVm(this.deps, this.settings, vm, 'vm:resume', options);
  }

  /** Moves the lifetime deadline `seconds` later (see extendLifetime); a deleted VM is ERR_VALIDATION. */
  async extend(access: Access, idOrName: string, seconds: number): Promise<VmRecord> {
    const vm = await requireVm(this.deps.store, access, idOrName, { includeDeleted: true });
    return extendLifetime(this.deps.store, vm, seconds);
  }

  /** Deleted VMs included: a caller that made one may still read how it ended. */
  get(access: Access, idOrName: string): Promise<VmRecord> {
    return requireVm(this.deps.store, access, idOrName, { includeDeleted: true });
  }

  /** The VM's status changes with their reasons, oldest first (a deleted VM's too). */
  async events(access: Access, idOrName: string): Promise<StateChange[]> {
    const vm = await this.get(access, idOrName);
    return this.deps.store.listStateChanges(vm.id);
  }

  /** The caller's own VMs; every project's for an `all` access unless `filter.project` narrows it. */
  list(access: Access, filter: Omit<VmFilter, 'project'> & { project?: string } = {}): Promise<VmRecord[]> {
    const project = access.all ? filter.project : access.project;
    return this.deps.store.listVms({ ...filter, ...(project === undefined ? {} : { project }) });
  }

  /**
   * A VM from a `ready` snapshot the caller can see: it gets the snapshot's driver, shape, image,
   * network and tools, and is created on the worker holding the snapshot's files.
   */
  private async createFromSnapshot(
    access: Access,
    input: CreateVmInput,
    restart: VmRestartRequest,
    options: TaskOptions,
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    const snapshot = await requireSnapshot(this.deps.store, access, input.fromSnapshot!);
    if (snapshot.status !== 'ready' || snapshot.workerId === null) {
      throw new AetherError('ERR_SNAPSHOT_NOT_READY', `snapshot ${snapshot.id} is ${snapshot.status}`, {
        details: { snapshotId: snapshot.id, status: snapshot.status },
      });
    }
    const clash = (
      [
        ['driver', input.driver, snapshot.driver],
        ['vcpus', input.vcpus, snapshot.vcpus],
        ['memoryMiB', input.memoryMiB, snapshot.memoryMiB],
        ['image', input.image, snapshot.image],
      ] as const
    ).find(([, asked, saved]) => asked !== undefined && asked !== saved);
    if (clash) {
      throw new AetherError(
        'ERR_VALIDATION',
        `${clash[0]} of a VM from snapshot ${snapshot.id} is the snapshot's (${String(clash[2])}); leave it out`,
        { details: { field: clash[0] } },
      );
    }
    const toolField = input.additionalTools !== undefined ? 'additional_tools' : 'tool_versions';
    if (input.additionalTools !== undefined || input.toolVersions !== undefined) {
      throw new AetherError(
        'ERR_VALIDATION',
        `${toolField}: a VM from snapshot ${snapshot.id} has the tools its source VM had; leave it out`,
        { details: { field: toolField } },
      );
    }
    const source = await this.deps.store.getVm(snapshot.sourceVmId);
    const quota = this.settings.quotaFor?.(access.project);
    const inserted = await this.deps.store.insertVm(
      {
        id: newId(),
        project: snapshot.project,
        name: input.name,
        driver: snapshot.driver,
        vcpus: snapshot.vcpus,
        memoryMiB: snapshot.memoryMiB,
        image: snapshot.image,
        network: source?.network ?? false,
        metadata: { ...(input.metadata ?? {}), fromSnapshot: snapshot.id },
        labels: input.labels ?? {},
        // The snapshot's disk holds what the source VM had.
        tools: source?.tools ?? null,
        lifetime: lifetimeOf(input, this.settings.lifetimeDefaults ?? NO_LIFETIME_DEFAULTS),
        restart,
      },
      quota ? { quota } : {},
    );
    // Its files are on one worker: the VM is bound there from the start.
    return this.enqueueCreate(
      inserted,
      { vmId: inserted.id, snapshotId: snapshot.id },
      options,
      snapshot.workerId,
    );
  }

  /**
   * Records and enqueues the create of `inserted`, bound first to `workerId` when given. Without
   * its task the VM would sit in `pending` forever: on failure its name is released.
   */
  private async enqueueCreate(
    inserted: VmRecord,
    payload: TaskRecord<'vm:create'>['payload'],
    options: TaskOptions,
    workerId?: string,
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    try {
      const vm =
        workerId === undefined
          ? inserted
          : ((await this.deps.store.updateVm(inserted.id, { workerId })) ?? inserted);
      const task = await recordAndEnqueue(
        this.deps,
        newVmTask('vm:create', payload, vm, options, this.settings.timeouts),
        { vm },
      );
      return { task, vm };
    } catch (error) {
      await this.deps.store
        .transitionVm(inserted.id, {
          from: ['pending'],
          to: 'deleted',
          reason: 'create task could not be recorded',
        })
        .catch(() => {});
      throw error;
    }
  }
}
