import { AetherError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { ExecutionRecord, JobRecord } from '../core/execution.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { OutputChunk } from '../core/output.js';
import { type Access, canSee, type Quota } from '../core/principal.js';
import type { TaskQueue } from '../core/queue.js';
import { SNAPSHOT_DELETABLE, type SnapshotRecord, type SnapshotStatus } from '../core/snapshot.js';
import type { Store, VmFilter } from '../core/store.js';
import { type ExecSpec, TASK_POLICIES, type TaskRecord, type TaskType } from '../core/task.js';
import { resolveToolRequests } from '../core/tool-catalog.js';
import { DEFAULT_TOOL_INSTALL_TIMEOUT_MS } from '../core/tools.js';
import {
  checkVmName,
  type DriverName,
  isVmLive,
  type VmRecord,
  type VmStatus,
  vmNotRunning,
} from '../core/vm.js';
import type { WorkerRecord } from '../core/worker.js';
import { recordAndEnqueue } from './dispatch.js';
import type { CreateVmInput, ExecuteInput, JobInput, TaskOptions } from './inputs.js';
import { OfferedDrivers } from './offered-drivers.js';
import { checkSnapshotSupported, checkVmFeatures } from './vm-features.js';
import { TaskEndings, waitForTask } from './wait.js';

export interface TaskServiceSettings {
  /** The driver of a create that names none; whether a worker runs it is read from the store. */
  defaultDriver: DriverName;
  timeouts: Record<TaskType, number>;
  maxWaitMs: number;
  /** Limits on a project's live VMs; none = unlimited. */
  quotaFor?: (project: string) => Quota | undefined;
  /** Tools every VM gets where it can (catalog names); default none. */
  defaultTools?: readonly string[];
  /** Deadline of a create's tool installation; added to the vm:create limit when tools are asked. */
  toolInstallTimeoutMs?: number;
}

export interface TaskServiceDeps {
  store: Store;
  queue: TaskQueue;
  events: EventBus;
  logger: Logger;
}

/** Statuses from which a delete may start. */
const DELETABLE: readonly VmStatus[] = ['pending', 'creating', 'running', 'stopped', 'failed', 'lost'];

/** Grace on top of an execution's own limit, for the VM round trip and the store writes. */
const EXEC_TASK_GRACE_MS = 30_000;

/**
 * The use cases behind every entry point (REST, CLI through REST, integrations). Writes go to
 * the store first; the queue only dispatches. Every call names its `Access`: what it creates
 * belongs to `access.project`, and a record it cannot see answers exactly as a missing one.
 */
export class TaskService {
  private readonly endings: TaskEndings;
  private readonly offered: OfferedDrivers;

  constructor(
    private readonly deps: TaskServiceDeps,
    private readonly settings: TaskServiceSettings,
  ) {
    this.endings = new TaskEndings(deps.events);
    this.offered = new OfferedDrivers(deps.store);
  }

  /** Drops the event subscription waits share (before the event bus closes). */
  close(): void {
    this.endings.close();
  }

  async createVm(
    access: Access,
    input: CreateVmInput,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    // Every entry point, not only the REST body's schema: integrations name VMs too.
    checkVmName(input.name);
    if (input.fromSnapshot !== undefined) return this.createVmFromSnapshot(access, input, options);
    const driver = input.driver ?? this.settings.defaultDriver;
    checkVmFeatures(input, driver);
    await this.offered.require(driver);
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
        tools: { requested, installed: [], missing: [], pathDirs: [] },
      },
      quota ? { quota } : {},
    );
    try {
      // Installing tools has its own deadline, on top of booting.
      const toolsMs =
        requested.length > 0 ? (this.settings.toolInstallTimeoutMs ?? DEFAULT_TOOL_INSTALL_TIMEOUT_MS) : 0;
      const timeoutMs = options.timeoutMs ?? this.settings.timeouts['vm:create'] + toolsMs;
      const task = await recordAndEnqueue(
        this.deps,
        this.newTask('vm:create', { vmId: vm.id }, vm, { ...options, timeoutMs }),
        { vm },
      );
      return { task, vm };
    } catch (error) {
      // Without its task the VM would sit in `pending` forever: release the name.
      await this.deps.store
        .transitionVm(vm.id, {
          from: ['pending'],
          to: 'deleted',
          reason: 'create task could not be recorded',
        })
        .catch(() => {});
      throw error;
    }
  }

  /** Saves a running VM on its worker; the snapshot belongs to the VM's project. */
  async snapshotVm(
    access: Access,
    idOrName: string,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; snapshot: SnapshotRecord }> {
    const vm = await this.requireVm(access, idOrName);
    checkSnapshotSupported(vm.driver);
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
      this.newTask('vm:snapshot', { vmId: vm.id, snapshotId: snapshot.id }, vm, options),
      { vm },
    );
    return { task, snapshot };
  }

  /** Another project's snapshot answers exactly as a missing one. */
  async getSnapshot(access: Access, id: string): Promise<SnapshotRecord> {
    const snapshot = await this.deps.store.getSnapshot(id);
    if (!snapshot || !canSee(access, snapshot.project)) {
      throw new AetherError('ERR_SNAPSHOT_NOT_FOUND', `no snapshot with id ${id}`);
    }
    return snapshot;
  }

  /** The caller's snapshots (every project's for an `all` access), newest first. */
  async listSnapshots(
    access: Access,
    filter: {
      vm?: string;
      status?: readonly SnapshotStatus[];
      includeDeleted?: boolean;
      limit?: number;
    } = {},
  ): Promise<SnapshotRecord[]> {
    const source =
      filter.vm === undefined ? undefined : await this.requireVm(access, filter.vm, { includeDeleted: true });
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
  async deleteSnapshot(
    access: Access,
    id: string,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; snapshot: SnapshotRecord }> {
    const snapshot = await this.getSnapshot(access, id);
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

  private async createVmFromSnapshot(
    access: Access,
    input: CreateVmInput,
    options: TaskOptions,
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    const snapshot = await this.getSnapshot(access, input.fromSnapshot!);
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
        // The snapshot's disk holds what the source VM had.
        tools: source?.tools ?? null,
      },
      quota ? { quota } : {},
    );
    try {
      // Its files are on one worker: the VM is bound there from the start.
      const vm = (await this.deps.store.updateVm(inserted.id, { workerId: snapshot.workerId })) ?? inserted;
      const task = await recordAndEnqueue(
        this.deps,
        this.newTask('vm:create', { vmId: vm.id, snapshotId: snapshot.id }, vm, options),
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

  async execute(
    access: Access,
    idOrName: string,
    input: ExecuteInput,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; executionId: string; timeoutMs: number }> {
    const vm = await this.requireVm(access, idOrName);
    if (vm.status !== 'running') throw vmNotRunning(vm, 'commands run');
    const exec = this.execSpec(input);
    const executionId = newId();
    const payload = { vmId: vm.id, executionId, exec, ...(input.retrySafe ? { retrySafe: true } : {}) };
    const newTask = this.newTask('vm:execute', payload, vm, {
      ...options,
      timeoutMs: options.timeoutMs ?? exec.timeoutMs + EXEC_TASK_GRACE_MS,
    });
    const task = await recordAndEnqueue(this.deps, newTask, {
      vm,
      execution: {
        id: executionId,
        project: vm.project,
        vmId: vm.id,
        taskId: newTask.id,
        jobId: null,
        command: exec.command,
        args: exec.args,
        env: exec.env,
        cwd: exec.cwd,
      },
    });
    // The command's limit as it will run: the one asked for, or the default.
    return { task, executionId, timeoutMs: exec.timeoutMs };
  }

  async deleteVm(
    access: Access,
    idOrName: string,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    const vm = await this.requireVm(access, idOrName);
    const stopping = await this.deps.store.transitionVm(vm.id, {
      from: DELETABLE,
      to: 'stopping',
      reason: 'delete requested',
    });
    if (!stopping) {
      throw new AetherError('ERR_INVALID_TRANSITION', `VM ${vm.name} is already ${vm.status}`, {
        details: { vmId: vm.id, status: vm.status },
      });
    }
    const task = await recordAndEnqueue(
      this.deps,
      this.newTask('vm:delete', { vmId: vm.id }, vm, options),
      // Routed by the status before the delete: a lost VM's worker may never come back.
      { vm },
    );
    return { task, vm: stopping };
  }

  async runJob(
    access: Access,
    idOrName: string,
    input: JobInput,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; job: JobRecord }> {
    const vm = await this.requireVm(access, idOrName);
    if (vm.status !== 'running') throw vmNotRunning(vm, 'jobs run');
    const steps = input.steps.map((step) => this.execSpec(step));
    const job = await this.deps.store.insertJob({
      id: newId(),
      project: vm.project,
      name: input.name,
      vmId: vm.id,
      taskId: null,
      steps: steps.map(({ stdin: _stdin, ...step }) => step),
    });
    const total = steps.reduce((sum, step) => sum + step.timeoutMs, 0) + EXEC_TASK_GRACE_MS;
    const task = await recordAndEnqueue(
      this.deps,
      this.newTask('job:run', { jobId: job.id, vmId: vm.id }, vm, {
        ...options,
        timeoutMs: options.timeoutMs ?? total,
      }),
      { vm },
    );
    const withTask = (await this.deps.store.updateJob(job.id, { taskId: task.id })) ?? job;
    return { task, job: withTask };
  }

  async getVm(access: Access, idOrName: string): Promise<VmRecord> {
    return this.requireVm(access, idOrName, { includeDeleted: true });
  }

  /** The caller's own VMs; every project's for an `all` access unless `filter.project` narrows it. */
  listVms(
    access: Access,
    filter: Omit<VmFilter, 'project'> & { project?: string } = {},
  ): Promise<VmRecord[]> {
    const project = access.all ? filter.project : access.project;
    return this.deps.store.listVms({ ...filter, ...(project === undefined ? {} : { project }) });
  }

  async listExecutions(access: Access, idOrName: string, limit?: number): Promise<ExecutionRecord[]> {
    const vm = await this.requireVm(access, idOrName, { includeDeleted: true });
    return this.deps.store.listExecutions(vm.id, limit === undefined ? undefined : { limit });
  }

  async getExecution(access: Access, id: string): Promise<ExecutionRecord> {
    const execution = await this.deps.store.getExecution(id);
    if (!execution || !canSee(access, execution.project)) {
      throw new AetherError('ERR_EXECUTION_NOT_FOUND', `no execution with id ${id}`);
    }
    return execution;
  }

  /**
   * Stored output chunks of an execution read through `getExecution` (so the caller may see it),
   * with seq above `afterSeq`, in order; see Store.listExecutionOutput.
   */
  readExecutionOutput(
    execution: ExecutionRecord,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<OutputChunk[]> {
    return this.deps.store.listExecutionOutput(execution.id, options);
  }

  /** Every worker that ever registered, by id: active, draining, stopped or dead. */
  listWorkers(): Promise<WorkerRecord[]> {
    return this.deps.store.listWorkers();
  }

  async getWorker(id: string): Promise<WorkerRecord> {
    const worker = await this.deps.store.getWorker(id);
    if (!worker) throw new AetherError('ERR_NOT_FOUND', `no worker ${id}`);
    return worker;
  }

  async getTask(access: Access, id: string): Promise<TaskRecord> {
    const task = await this.deps.store.getTask(id);
    if (!task || !canSee(access, task.project)) {
      throw new AetherError('ERR_TASK_NOT_FOUND', `no task with id ${id}`);
    }
    return task;
  }

  async getJob(access: Access, id: string): Promise<JobRecord> {
    const job = await this.deps.store.getJob(id);
    if (!job || !canSee(access, job.project))
      throw new AetherError('ERR_JOB_NOT_FOUND', `no job with id ${id}`);
    return job;
  }

  /** The task as the store has it now, for a caller that already holds it (it made the task). */
  async currentTask(task: TaskRecord): Promise<TaskRecord> {
    return (await this.deps.store.getTask(task.id)) ?? task;
  }

  /** Resolves when the task is terminal; ERR_WAIT_TIMEOUT (the task goes on) after `timeoutMs`. */
  waitForTask(id: string, timeoutMs: number, signal?: AbortSignal): Promise<TaskRecord> {
    return waitForTask(
      { store: this.deps.store, endings: this.endings },
      id,
      Math.min(timeoutMs, this.settings.maxWaitMs),
      signal,
    );
  }

  /**
   * A name resolves within the caller's project first; an `all` access falls back to the other
   * projects (ambiguous there: ERR_VM_NAME_AMBIGUOUS). Another project's VM is "not found".
   */
  private async requireVm(
    access: Access,
    idOrName: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<VmRecord> {
    let vm = await this.deps.store.findVm(idOrName, access.project);
    if (!vm && access.all) vm = await this.deps.store.findVm(idOrName);
    if (!vm || !canSee(access, vm.project) || (vm.status === 'deleted' && !options.includeDeleted)) {
      throw new AetherError('ERR_VM_NOT_FOUND', `no VM with id or name "${idOrName}"`);
    }
    return vm;
  }

  private execSpec(input: ExecuteInput): ExecSpec {
    return {
      command: input.command,
      args: input.args ?? [],
      env: input.env ?? {},
      cwd: input.cwd ?? null,
      stdin: input.stdin ?? null,
      timeoutMs: input.timeoutMs ?? this.settings.timeouts['vm:execute'],
    };
  }

  /** A task belongs to the project of the VM it acts on. */
  private newTask<T extends TaskType>(
    type: T,
    payload: TaskRecord<T>['payload'],
    vm: VmRecord,
    options: TaskOptions,
  ) {
    return {
      id: newId(),
      project: vm.project,
      type,
      priority: options.priority ?? 'default',
      payload,
      vmId: vm.id,
      maxRetries: TASK_POLICIES[type].maxRetries,
      timeoutMs: options.timeoutMs ?? this.settings.timeouts[type],
    };
  }
}
