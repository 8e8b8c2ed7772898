import { AetherError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { ExecutionRecord, JobRecord } from '../core/execution.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store, VmFilter } from '../core/store.js';
import { type ExecSpec, TASK_POLICIES, type TaskRecord, type TaskType } from '../core/task.js';
import { type DriverName, type VmRecord, type VmStatus, vmNotRunning } from '../core/vm.js';
import type { WorkerRecord } from '../core/worker.js';
import { ownerOf, recordAndEnqueue } from './dispatch.js';
import type { CreateVmInput, ExecuteInput, JobInput, TaskOptions } from './inputs.js';
import { checkVmFeatures } from './vm-features.js';
import { TaskEndings, waitForTask } from './wait.js';

export interface TaskServiceSettings {
  defaultDriver: DriverName;
  /** Drivers some worker can run; others are refused at the door. */
  availableDrivers: readonly DriverName[];
  timeouts: Record<TaskType, number>;
  maxWaitMs: number;
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
 * the store first; the queue only dispatches.
 */
export class TaskService {
  private readonly endings: TaskEndings;

  constructor(
    private readonly deps: TaskServiceDeps,
    private readonly settings: TaskServiceSettings,
  ) {
    this.endings = new TaskEndings(deps.events);
  }

  /** Drops the event subscription waits share (before the event bus closes). */
  close(): void {
    this.endings.close();
  }

  async createVm(
    input: CreateVmInput,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; vm: VmRecord }> {
    const driver = input.driver ?? this.settings.defaultDriver;
    if (!this.settings.availableDrivers.includes(driver)) {
      throw new AetherError(
        'ERR_DRIVER_UNKNOWN',
        `driver "${driver}" is not available here; available: ${this.settings.availableDrivers.join(', ')}`,
      );
    }
    checkVmFeatures(input, driver);
    const vm = await this.deps.store.insertVm({
      id: newId(),
      name: input.name,
      driver,
      vcpus: input.vcpus ?? 1,
      memoryMiB: input.memoryMiB ?? 256,
      image: input.image ?? null,
      network: input.network ?? false,
      metadata: input.metadata ?? {},
    });
    try {
      const task = await recordAndEnqueue(
        this.deps,
        this.newTask('vm:create', { vmId: vm.id }, vm.id, options),
        { workerId: null },
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

  async execute(
    idOrName: string,
    input: ExecuteInput,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; executionId: string }> {
    const vm = await this.requireVm(idOrName);
    if (vm.status !== 'running') throw vmNotRunning(vm, 'commands run');
    const exec = this.execSpec(input);
    const executionId = newId();
    const payload = { vmId: vm.id, executionId, exec, ...(input.retrySafe ? { retrySafe: true } : {}) };
    const newTask = this.newTask('vm:execute', payload, vm.id, {
      ...options,
      timeoutMs: options.timeoutMs ?? exec.timeoutMs + EXEC_TASK_GRACE_MS,
    });
    const task = await recordAndEnqueue(this.deps, newTask, {
      workerId: vm.workerId,
      execution: {
        id: executionId,
        vmId: vm.id,
        taskId: newTask.id,
        jobId: null,
        command: exec.command,
        args: exec.args,
        env: exec.env,
        cwd: exec.cwd,
      },
    });
    return { task, executionId };
  }

  async deleteVm(idOrName: string, options: TaskOptions = {}): Promise<{ task: TaskRecord; vm: VmRecord }> {
    const vm = await this.requireVm(idOrName);
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
      this.newTask('vm:delete', { vmId: vm.id }, vm.id, options),
      // Routed by the status before the delete: a lost VM's worker may never come back.
      { workerId: ownerOf({ type: 'vm:delete' }, vm) },
    );
    return { task, vm: stopping };
  }

  async runJob(
    idOrName: string,
    input: JobInput,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; job: JobRecord }> {
    const vm = await this.requireVm(idOrName);
    if (vm.status !== 'running') throw vmNotRunning(vm, 'jobs run');
    const steps = input.steps.map((step) => this.execSpec(step));
    const job = await this.deps.store.insertJob({
      id: newId(),
      name: input.name,
      vmId: vm.id,
      taskId: null,
      steps: steps.map(({ stdin: _stdin, ...step }) => step),
    });
    const total = steps.reduce((sum, step) => sum + step.timeoutMs, 0) + EXEC_TASK_GRACE_MS;
    const task = await recordAndEnqueue(
      this.deps,
      this.newTask('job:run', { jobId: job.id, vmId: vm.id }, vm.id, {
        ...options,
        timeoutMs: options.timeoutMs ?? total,
      }),
      { workerId: vm.workerId },
    );
    const withTask = (await this.deps.store.updateJob(job.id, { taskId: task.id })) ?? job;
    return { task, job: withTask };
  }

  async getVm(idOrName: string): Promise<VmRecord> {
    return this.requireVm(idOrName, { includeDeleted: true });
  }

  listVms(filter: VmFilter = {}): Promise<VmRecord[]> {
    return this.deps.store.listVms(filter);
  }

  async listExecutions(idOrName: string, limit?: number): Promise<ExecutionRecord[]> {
    const vm = await this.requireVm(idOrName, { includeDeleted: true });
    return this.deps.store.listExecutions(vm.id, limit === undefined ? undefined : { limit });
  }

  async getExecution(id: string): Promise<ExecutionRecord> {
    const execution = await this.deps.store.getExecution(id);
    if (!execution) throw new AetherError('ERR_EXECUTION_NOT_FOUND', `no execution with id ${id}`);
    return execution;
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

  async getTask(id: string): Promise<TaskRecord> {
    const task = await this.deps.store.getTask(id);
    if (!task) throw new AetherError('ERR_TASK_NOT_FOUND', `no task with id ${id}`);
    return task;
  }

  async getJob(id: string): Promise<JobRecord> {
    const job = await this.deps.store.getJob(id);
    if (!job) throw new AetherError('ERR_JOB_NOT_FOUND', `no job with id ${id}`);
    return job;
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

  private async requireVm(idOrName: string, options: { includeDeleted?: boolean } = {}): Promise<VmRecord> {
    const vm = await this.deps.store.findVm(idOrName);
    if (!vm || (vm.status === 'deleted' && !options.includeDeleted)) {
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

  private newTask<T extends TaskType>(
    type: T,
    payload: TaskRecord<T>['payload'],
    vmId: string | null,
    options: TaskOptions,
  ) {
    return {
      id: newId(),
      type,
      priority: options.priority ?? 'default',
      payload,
      vmId,
      maxRetries: TASK_POLICIES[type].maxRetries,
      timeoutMs: options.timeoutMs ?? this.settings.timeouts[type],
    };
  }
}
