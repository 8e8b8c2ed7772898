import type { ActivityFilter, ExecutionActivity, FailureFilter, RecentFailure } from './activity.js';
import type { ApiKeyRecord, NewApiKey, StoredApiKey } from './api-key.js';
import type { WireError } from './errors.js';
import type { ExecutionRecord, ExecutionState, JobRecord, JobStatus, JobStepResult } from './execution.js';
import type { LogLine, LogPruneResult, LogQuery, LogRecord, LogRetention } from './logs.js';
import type { NetworkLease, NetworkLeaseFilter, NetworkLeaseRequest } from './network-lease.js';
import type { OutboundWebhookStore } from './outbound-webhooks.js';
import type { OutputChunk } from './output.js';
import type { PreviewStore } from './preview.js';
import type { Quota } from './principal.js';
import type { SessionStore } from './session.js';
import type { NewSnapshot, SnapshotOutcome, SnapshotRecord, SnapshotStatus } from './snapshot.js';
import type { TaskPriority, TaskProgress, TaskRecord, TaskStatus, TaskType } from './task.js';
import type { VmTools } from './tools.js';
import type { DriverName, IsolationInfo, VmRecord, VmStatus } from './vm.js';
import type { VmLabels } from './vm-labels.js';
import type { VmExpiryKind, VmLifetimeRequest } from './vm-lifetime.js';
import type { VmRestartRequest } from './vm-restart.js';
import type { WorkerRecord, WorkerRegistration, WorkerStatus } from './worker.js';

export interface NewVm {
  id: string;
  project: string;
  name: string;
  driver: DriverName;
  vcpus: number;
  memoryMiB: number;
  /** Guest image; default null (the driver's default image). */
  image?: string | null;
  /** Outbound network access; default false. */
  network?: boolean;
  metadata: Record<string, unknown>;
  /** Checked labels (core/vm-labels.ts); default none. */
  labels?: VmLabels;
  /** Tools asked for (core/tools.ts); default none. */
  tools?: VmTools | null;
  /** Time to live (counted from the insert, at the database's clock) and idle timeout; default none. */
  lifetime?: VmLifetimeRequest;
  /** What a death found by a health check leads to (core/vm-restart.ts); default never restarted. */
  restart?: VmRestartRequest;
}

export interface NewTask<T extends TaskType = TaskType> {
  id: string;
  project: string;
  type: T;
  priority: TaskPriority;
  payload: TaskRecord<T>['payload'];
  vmId: string | null;
  maxRetries: number;
  timeoutMs: number;
}

export interface NewExecution {
  id: string;
  project: string;
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
  /** The signal that ended the command, as its driver reported it; null when it exited. */
  signal: string | null;
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

/** A task transition may also be fenced: applied only while the caller's claim is current. */
export interface TaskTransition extends Transition<TaskStatus> {
  /** Apply only while the task's fencing token equals this one. */
  fencingToken?: number;
}

/** Guards an execution write with the claim of the task that runs it. */
export interface AttemptFence {
  taskId: string;
  fencingToken: number;
  /**
   * Statuses the task may be in; default `processing` (an attempt running it). Settling a task
   * that never ran also accepts `pending`.
   */
  taskStatuses?: readonly ('pending' | 'processing')[];
}

/** A worker taking a pending task for a new attempt. */
export interface TaskClaim {
  workerId: string;
  startedAt: Date;
  /** The state-change reason, e.g. `attempt 2 on w1`. */
  reason: string;
}

/** A claimed task with its VM as the claim found it (null for a task without a VM). */
export interface ClaimedTask {
  task: TaskRecord;
  vm: VmRecord | null;
}

/** How a task's attempt ended when it completes together with its execution. */
export interface TaskCompletion {
  fencingToken: number;
  result: unknown;
  reason: string;
  completedAt: Date;
}

export interface VmPatch {
  workerId?: string | null;
  isolation?: IsolationInfo | null;
  tools?: VmTools | null;
  startedAt?: Date | null;
  stoppedAt?: Date | null;
  /** Where the idle clock counts from (a start); see also Store.recordVmActivity. */
  lastActiveAt?: Date | null;
  /** A lifetime that has run out starts again, its full TTL from now (a start after expiry). */
  renewExpiredLifetime?: true;
  hibernatedAt?: Date | null;
  /** Ends the expiry loop's claim of a pause (the VM runs again: its deadlines count anew). */
  expiryClaimedAt?: null;
}

/** A VM past a deadline, as the expiry loop finds it (see Store.listExpiredVms). */
export interface ExpiredVm {
  vm: VmRecord;
  kind: VmExpiryKind;
}

export interface TaskPatch {
  result?: unknown;
  error?: WireError | null;
  workerId?: string | null;
  retryCount?: number;
  startedAt?: Date | null;
  completedAt?: Date | null;
  /** This transition is a claim: bump the fencing token (the returned record holds the new one). */
  newAttempt?: boolean;
}

export interface VmFilter {
  /** Only VMs of this project. */
  project?: string;
  status?: readonly VmStatus[];
  workerId?: string;
  /** Include VMs in status `deleted` (default false). */
  includeDeleted?: boolean;
  /** Only VMs started from this snapshot. */
  fromSnapshot?: string;
  /** Only VMs that have every one of these labels with these values. */
  labels?: VmLabels;
  limit?: number;
}

export interface SnapshotFilter {
  project?: string;
  sourceVmId?: string;
  status?: readonly SnapshotStatus[];
  /** Include snapshots in status `deleted` (default false). */
  includeDeleted?: boolean;
  limit?: number;
}

export interface TaskFilter {
  /** Only tasks of this project. */
  project?: string;
  status?: readonly TaskStatus[];
  types?: readonly TaskType[];
  vmId?: string;
  workerId?: string;
  limit?: number;
}

export interface ExecutionFilter {
  /** Only executions of this project. */
  project?: string;
  vmId?: string;
  /** Only executions in one of these states, as `executionState` names them. */
  outcomes?: readonly ExecutionState[];
  limit?: number;
}

export interface JobFilter {
  /** Only jobs of this project. */
  project?: string;
  vmId?: string;
  status?: readonly JobStatus[];
  limit?: number;
}

/** How many VMs are in one status on one driver. */
export interface VmCount {
  status: VmStatus;
  driver: DriverName;
  count: number;
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
export interface Store extends OutboundWebhookStore, PreviewStore, SessionStore {
  readonly kind: 'postgres' | 'pglite';

  /**
   * With `quota`, the insert happens only if the project's live VMs (any status but deleted,
   * failed or lost) plus this one stay within it, checked and written atomically (concurrent
   * creates in one project are serialised); otherwise ERR_QUOTA_EXCEEDED.
   */
  insertVm(vm: NewVm, options?: { quota?: Quota }): Promise<VmRecord>;
  getVm(id: string): Promise<VmRecord | null>;
  /** Resolves an id or a name (of a VM that is not deleted). */
  /**
   * Resolves an id (any project) or a name of a VM that is not deleted: within `project` when
   * given, else across projects (a name live in several is ERR_VM_NAME_AMBIGUOUS).
   */
  findVm(idOrName: string, project?: string): Promise<VmRecord | null>;
  listVms(filter?: VmFilter): Promise<VmRecord[]>;
  /**
   * VMs per status and driver, of every project or of `filter.project`, in one grouped query (a
   * metrics scrape calls it). Deleted VMs are history, not load: never counted. Groups with no VM
   * are left out.
   */
  countVms(filter?: { project?: string }): Promise<VmCount[]>;
  transitionVm(id: string, change: Transition<VmStatus>, patch?: VmPatch): Promise<VmRecord | null>;
  updateVm(id: string, patch: VmPatch): Promise<VmRecord | null>;

  /**
   * VMs past a deadline whose end nobody has claimed, at the database's clock, at most `limit`
   * (default 100): `ttl` for a running VM past its lifetime, or a stopped one whose expiry deletes
   * it; `idle` for a running VM idle past its timeout with no execution open in it (one created
   * within ACTIVITY_HORIZON_SECONDS and not complete). Past both: `ttl`.
   */
  listExpiredVms(limit?: number): Promise<ExpiredVm[]>;
  /**
   * Claims the end of an expired VM once, across every node: moves it to `stopping` with
   * `reason`, in one statement that applies only while it is still past that deadline and in a
   * status `listExpiredVms` lists it in (an extend, a command or a stop since then wins). Null,
   * changing nothing, otherwise. A VM whose expiry pauses it keeps its status: the claim is
   * recorded on it (and lapses after EXPIRY_PAUSE_CLAIM_SECONDS, so a pause lost with its node
   * is claimed again), and its worker moves it to `paused`.
   */
  claimVmExpiry(id: string, kind: VmExpiryKind, reason: string): Promise<VmRecord | null>;
  /** Restarts the VM's idle clock now (a command ended); no state change is recorded. */
  recordVmActivity(id: string): Promise<void>;
  /**
   * Moves the lifetime deadline of a VM that has one by `seconds`, counted from now when it has
   * passed already; only while its status is one of `statuses`. Null, changing nothing, when the
   * VM has no lifetime or is not in `statuses`.
   */
  extendVmLifetime(id: string, seconds: number, statuses: readonly VmStatus[]): Promise<VmRecord | null>;
  /**
   * Claims the restart of a VM found dead, once, in one statement: it applies only while the VM
   * is still `running` since `seen.startedAt`, has made `seen.restarts` restarts, and its policy
   * (`on-failure`) allows another. It counts the restart, sets `reason` and a new `startedAt` at
   * the database's clock (to the millisecond, so the next claim can name it). Null, changing
   * nothing, otherwise (a stop, delete or other claim got there first, or no restart is left).
   */
  claimVmRestart(
    id: string,
    seen: { startedAt: Date | null; restarts: number },
    reason: string,
  ): Promise<VmRecord | null>;

  /** Inserts the task (and optionally its execution) in one transaction. */
  insertTask(task: NewTask, execution?: NewExecution): Promise<TaskRecord>;
  getTask(id: string): Promise<TaskRecord | null>;
  listTasks(filter?: TaskFilter): Promise<TaskRecord[]>;
  /** With `change.fencingToken`, a stale attempt's write changes nothing and returns null. */
  transitionTask(id: string, change: TaskTransition, patch?: TaskPatch): Promise<TaskRecord | null>;
  /**
   * Claims a `pending` task for a new attempt in one statement: `processing`, a new fencing
   * token, the claim's worker and start; the executions recorded with the task (not a job's,
   * which a job inserts as it runs them) are marked started by the same statement, and the task's
   * VM is read in it. Null, changing nothing, when the task is not pending.
   */
  claimTask(id: string, claim: TaskClaim): Promise<ClaimedTask | null>;
  /**
   * Records an execution's outcome and completes its task in one atomic statement, only while
   * the attempt holding `completion.fencingToken` holds the task (`processing`) and the
   * execution is not complete yet; otherwise nothing changes and null is returned.
   */
  completeTaskWithExecution(
    taskId: string,
    completion: TaskCompletion,
    executionId: string,
    outcome: ExecutionOutcome,
  ): Promise<{ task: TaskRecord; execution: ExecutionRecord } | null>;
  /**
   * Records a running attempt's progress: only while the task is `processing` and its fencing
   * token is `fencingToken`; otherwise nothing changes and false is returned.
   */
  setTaskProgress(id: string, fencingToken: number, progress: TaskProgress): Promise<boolean>;

  insertExecution(execution: NewExecution): Promise<ExecutionRecord>;
  getExecution(id: string): Promise<ExecutionRecord | null>;
  listExecutions(vmId: string, options?: { limit?: number }): Promise<ExecutionRecord[]>;
  /** Executions matching every filter, newest first, across VMs. */
  queryExecutions(filter?: ExecutionFilter): Promise<ExecutionRecord[]>;
  /**
   * Executions completed since `filter.since`, counted per minute of their completion and in
   * all, with percentiles of their duration, in one grouped query.
   */
  executionActivity(filter: ActivityFilter): Promise<ExecutionActivity>;
  /** Failed tasks and executions (see RecentFailure) since `filter.since`, newest first. */
  listRecentFailures(filter: FailureFilter): Promise<RecentFailure[]>;
  markExecutionStarted(id: string, startedAt: Date): Promise<void>;
  /**
   * Records the outcome once: an execution that is already complete, or (with `fence`) whose
   * task is no longer held by that attempt, is left as it is and null is returned.
   */
  completeExecution(
    id: string,
    outcome: ExecutionOutcome,
    fence?: AttemptFence,
  ): Promise<ExecutionRecord | null>;
  /**
   * Stores chunks of an execution's output as it runs (core/output.ts). Rules:
   * - Written only while the execution is not complete and (with `fence`) while that attempt
   *   holds its task; otherwise nothing changes and false is returned. The writer stores every
   *   chunk before completing the execution, so a complete execution's chunks are all stored.
   * - A seq already stored is kept as it is, so writing a batch again is harmless.
   * - A batch starting at seq 1 is a new attempt's first: it replaces whatever was stored before.
   * - An execution's stored stdout (stderr) is the text (`outputText`) of the concatenated bytes of
   *   its stdout (stderr) chunks, NUL replaced by U+FFFD.
   */
  appendExecutionOutput(id: string, chunks: readonly OutputChunk[], fence?: AttemptFence): Promise<boolean>;
  /**
   * Stored chunks with seq above `afterSeq` (default 0), in seq order, at most `limit` (default
   * 1000). Empty for an unknown execution, and for one recorded before chunks were kept (its
   * output is only in the execution record).
   */
  listExecutionOutput(id: string, options?: { afterSeq?: number; limit?: number }): Promise<OutputChunk[]>;

  insertJob(job: Omit<JobRecord, 'createdAt' | 'updatedAt' | 'results' | 'status'>): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord | null>;
  /** Jobs matching every filter, newest first. */
  listJobs(filter?: JobFilter): Promise<JobRecord[]>;
  updateJob(
    id: string,
    patch: { status?: JobStatus; results?: JobStepResult[]; taskId?: string },
  ): Promise<JobRecord | null>;

  listStateChanges(entityId: string): Promise<StateChange[]>;

  /** Stores a key (its hash only); ids are unique. */
  insertApiKey(key: NewApiKey): Promise<StoredApiKey>;
  getApiKey(id: string): Promise<StoredApiKey | null>;
  /** Newest first; all projects when `project` is not given. Revoked keys included. */
  listApiKeys(project?: string): Promise<ApiKeyRecord[]>;
  /** Sets `revokedAt` once; null for an unknown id. Revoking twice keeps the first time. */
  revokeApiKey(id: string): Promise<ApiKeyRecord | null>;

  /**
   * Network leases (core/network-lease.ts). Allocation is one INSERT that picks the lowest free
   * address of the range (skipping `reserved`) and the first free TAP name among `tapNames` on
   * the request's host; unique (host, address) and (host, tap name) make concurrent allocations
   * on any number of workers distinct, and a statement that lost a race is tried again.
   * Idempotent per VM: a VM that holds a lease gets it back unchanged. No free address or TAP:
   * ERR_NETWORK_EXHAUSTED. An unknown VM: ERR_VM_NOT_FOUND.
   */
  allocateNetworkLease(request: NetworkLeaseRequest): Promise<NetworkLease>;
  getNetworkLease(vmId: string): Promise<NetworkLease | null>;
  /** Leases on a host (optionally of one worker), by address. */
  listNetworkLeases(filter: NetworkLeaseFilter): Promise<NetworkLease[]>;
  /** Frees the VM's lease and returns what it held; null when it held none. */
  releaseNetworkLease(vmId: string): Promise<NetworkLease | null>;

  /** Records a snapshot as `pending`; its source VM must exist. */
  insertSnapshot(snapshot: NewSnapshot): Promise<SnapshotRecord>;
  getSnapshot(id: string): Promise<SnapshotRecord | null>;
  /**
   * Writes a save's outcome once: only a `pending` snapshot changes (null otherwise, or for an
   * unknown id), so a retried task cannot turn a ready snapshot into a failed one.
   */
  completeSnapshot(id: string, outcome: SnapshotOutcome): Promise<SnapshotRecord | null>;
  /** Compare-and-set of a snapshot's status (deletes); null when it is not in `from` or unknown. */
  transitionSnapshot(id: string, change: Transition<SnapshotStatus>): Promise<SnapshotRecord | null>;
  /** Newest first; deleted ones only when asked. */
  listSnapshots(filter?: SnapshotFilter): Promise<SnapshotRecord[]>;

  /** Registers (or re-registers) a worker as `active` with the next epoch. */
  registerWorker(registration: WorkerRegistration): Promise<WorkerRecord>;
  /**
   * Renews the registration of this epoch, at the database's clock. Null when the worker was
   * declared dead or a newer process registered under its id: it must stop and register again.
   */
  heartbeatWorker(
    id: string,
    epoch: number,
    beat: { activeTasks: number; status: 'active' | 'draining' },
  ): Promise<WorkerRecord | null>;
  /** Sets the status of this epoch's registration (a graceful stop says `stopped`). */
  setWorkerStatus(
    id: string,
    epoch: number,
    status: WorkerStatus,
    reason: string,
  ): Promise<WorkerRecord | null>;
  getWorker(id: string): Promise<WorkerRecord | null>;
  listWorkers(): Promise<WorkerRecord[]>;
  /** Marks `dead` every heartbeating worker silent for longer than `graceMs`; returns those. */
  reapSilentWorkers(graceMs: number): Promise<WorkerRecord[]>;

  /**
   * The platform's own log lines (core/logs.ts), for `logging.provider: local`. A batch is one
   * statement (or a few past the parameter limit), never one per line; NUL in text becomes
   * U+FFFD. Lines without a project are the platform's: a `project` filter never matches them.
   */
  appendLogs(records: readonly LogRecord[]): Promise<void>;
  /** Lines matching every filter of `query`, ordered by time (then insertion) as it asks. */
  queryLogs(query: LogQuery): Promise<LogLine[]>;
  /**
   * Deletes lines older than `olderThan`, then, kind by kind, all but the newest `maxRows` of
   * that kind: command output never pushes out the platform's own lines. Says what went.
   */
  pruneLogs(retention: LogRetention): Promise<LogPruneResult>;

  /**
   * Takes a webhook delivery id once: true the first time, false while an unexpired entry for
   * (`integration`, `deliveryId`) exists (a replay). Expired entries are pruned on the way.
   */
  claimWebhookDelivery(integration: string, deliveryId: string, ttlMs: number): Promise<boolean>;

  /** Cheap liveness probe for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
