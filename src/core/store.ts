import type { WireError } from './errors.js';
import type { ExecutionRecord, JobRecord, JobStatus, JobStepResult } from './execution.js';
import type { TaskPriority, TaskRecord, TaskStatus, TaskType } from './task.js';
import type { DriverName, IsolationInfo, VmRecord, VmStatus } from './vm.js';

export interface NewVm {
  id: string;
  name: string;
  driver: DriverName;
  vcpus: number;
  memoryMiB: number;
  metadata: Record<string, unknown>;
}

export interface NewTask<T extends TaskType = TaskType> {
  id: string;
  type: T;
  priority: TaskPriority;
  payload: TaskRecord<T>['payload'];
  vmId: string | null;
  maxRetries: number;
  timeoutMs: number;
}

export interface NewExecution {
  id: string;
  vmId: string;
  taskId: string | null;
  jobId: string | null;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
}

export interface ExecutionOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  error: WireError | null;
  startedAt: Date;
  completedAt: Date;
  durationMs: number;
}

/** A state change to apply only if the row is still in one of `from` (compare-and-set). */
export interface Transition<S extends string> {
  from: readonly S[];
  to: S;
  reason: string;
}

export interface VmPatch {
  workerId?: string | null;
  isolation?: IsolationInfo | null;
  startedAt?: Date | null;
  stoppedAt?: Date | null;
}

export interface TaskPatch {
  result?: unknown;
  error?: WireError | null;
  workerId?: string | null;
  retryCount?: number;
  startedAt?: Date | null;
  completedAt?: Date | null;
}

export interface VmFilter {
  status?: readonly VmStatus[];
  workerId?: string;
  /** Include VMs in status `deleted` (default false). */
  includeDeleted?: boolean;
  limit?: number;
}

export interface TaskFilter {
  status?: readonly TaskStatus[];
  vmId?: string;
  limit?: number;
}

export interface StateChange {
  entity: 'vm' | 'task' | 'job';
  entityId: string;
  from: string | null;
  to: string;
  reason: string;
  at: Date;
}

/**
 * The system of record. Rules every implementation keeps:
 * - `transition*` change status only when the current status is in `from`; otherwise they return
 *   null and change nothing. Each applied transition is also appended to the state-change log.
 * - VM names are unique among VMs that are not `deleted`; a clash throws ERR_VM_NAME_TAKEN.
 * - Reads never return rows half-written by a failed call: multi-row writes are transactions.
 * - Unreachable backend → ERR_STORE_UNAVAILABLE (retryable), never a raw driver error.
 */
export interface Store {
  readonly kind: 'postgres' | 'pglite';

  insertVm(vm: NewVm): Promise<VmRecord>;
  getVm(id: string): Promise<VmRecord | null>;
  /** Resolves an id or a name (of a VM that is not deleted). */
  findVm(idOrName: string): Promise<VmRecord | null>;
  listVms(filter?: VmFilter): Promise<VmRecord[]>;
  transitionVm(id: string, change: Transition<VmStatus>, patch?: VmPatch): Promise<VmRecord | null>;
  updateVm(id: string, patch: VmPatch): Promise<VmRecord | null>;

  /** Inserts the task (and optionally its execution) in one transaction. */
  insertTask(task: NewTask, execution?: NewExecution): Promise<TaskRecord>;
  getTask(id: string): Promise<TaskRecord | null>;
  listTasks(filter?: TaskFilter): Promise<TaskRecord[]>;
  transitionTask(id: string, change: Transition<TaskStatus>, patch?: TaskPatch): Promise<TaskRecord | null>;

  insertExecution(execution: NewExecution): Promise<ExecutionRecord>;
  getExecution(id: string): Promise<ExecutionRecord | null>;
  listExecutions(vmId: string, options?: { limit?: number }): Promise<ExecutionRecord[]>;
  markExecutionStarted(id: string, startedAt: Date): Promise<void>;
  completeExecution(id: string, outcome: ExecutionOutcome): Promise<ExecutionRecord | null>;

  insertJob(job: Omit<JobRecord, 'createdAt' | 'updatedAt' | 'results' | 'status'>): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord | null>;
  updateJob(
    id: string,
    patch: { status?: JobStatus; results?: JobStepResult[]; taskId?: string },
  ): Promise<JobRecord | null>;

  listStateChanges(entityId: string): Promise<StateChange[]>;

  /** Cheap liveness probe for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
