import type { WireError } from './errors.js';

/** Task lifecycle: `pending → processing → completed | failed | cancelled`, with retries back to pending. */
export const TASK_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

const TASK_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['processing', 'failed', 'cancelled'],
  processing: ['completed', 'failed', 'pending', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

export function canTransitionTask(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/**
 * Whether an attempt cut short (its worker died or was stopped) may simply run again: creates
 * and deletes are idempotent per VM; a command may have had effects, so only when the caller
 * said it is safe to repeat.
 */
export function isRerunnable(task: { type: TaskType; payload: unknown }): boolean {
  if (
    task.type === 'vm:create' ||
    task.type === 'vm:delete' ||
    task.type === 'vm:stop' ||
    task.type === 'vm:start' ||
    task.type === 'vm:pause' ||
    task.type === 'vm:resume' ||
    task.type === 'vm:snapshot' ||
    task.type === 'snapshot:delete'
  ) {
    return true;
  }
  if (task.type === 'vm:execute') return (task.payload as { retrySafe?: boolean }).retrySafe === true;
  return false;
}

export function isTaskTerminal(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

export const TASK_TYPES = [
  'vm:create',
  'vm:execute',
  'vm:delete',
  'job:run',
  'vm:snapshot',
  'snapshot:delete',
  'vm:stop',
  'vm:start',
  'vm:pause',
  'vm:resume',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const TASK_PRIORITIES = ['critical', 'high', 'default', 'low'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** Queue priority numbers: lower runs first (BullMQ's convention). */
export const PRIORITY_RANK: Record<TaskPriority, number> = { critical: 1, high: 2, default: 3, low: 4 };

export interface ExecSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  /** UTF-8 text written to the command's stdin, then closed. */
  stdin: string | null;
  /**
   * Stdin is fed while the command runs, by whoever reaches its worker's data plane; without a
   * feeder it stays open. Never together with `stdin`. Absent in payloads written before it.
   */
  stdinStream?: boolean;
  timeoutMs: number;
}

/**
 * The longest limit a command may have, which is what "no per-command limit" stands for: the
 * guest agent refuses longer ones (MAX_EXEC_TIMEOUT_MS of the agent protocol, kept equal).
 */
export const LONGEST_COMMAND_TIMEOUT_MS = 24 * 60 * 60_000;

/** One payload type per task type; handlers are keyed by the same names. */
export interface TaskPayloads {
  /** `snapshotId`: start from that snapshot (on the worker holding it) instead of booting. */
  'vm:create': { vmId: string; snapshotId?: string };
  /** `retrySafe`: the caller said running the command twice is harmless. */
  'vm:execute': { vmId: string; executionId: string; exec: ExecSpec; retrySafe?: boolean };
  /**
   * `reason`: the VM's status reason once deleted, saying who asked (`user: ...`, `ttl: ...`,
   * `idle: ...`); absent in payloads written before it.
   */
  'vm:delete': { vmId: string; reason?: string };
  /** `reason`: the VM's status reason once stopped, as for `vm:delete`. */
  'vm:stop': { vmId: string; reason: string };
  'vm:start': { vmId: string };
  /**
   * `hibernate`: save its memory and end its VMM where the driver can (else freeze it).
   * `reason`: set by the expiry loop (`ttl: ...`), its status reason once paused.
   */
  'vm:pause': { vmId: string; hibernate?: boolean; reason?: string };
  'vm:resume': { vmId: string };
  'job:run': { jobId: string; vmId: string };
  'vm:snapshot': { vmId: string; snapshotId: string };
  /**
   * The task's VM is the snapshot's source VM. `workerId`: the queue it goes to, the worker
   * holding the files, or null (shared queue) when that worker is gone.
   */
  'snapshot:delete': { snapshotId: string; workerId: string | null };
}

export interface TaskResults {
  'vm:create': { vmId: string; status: string };
  'vm:execute': { executionId: string; exitCode: number | null; timedOut: boolean };
  'vm:delete': { vmId: string; status: string };
  'job:run': { jobId: string; status: string; failedStep: number | null };
  'vm:snapshot': { snapshotId: string; status: string };
  'snapshot:delete': { snapshotId: string; status: string };
  'vm:stop': { vmId: string; status: string };
  'vm:start': { vmId: string; status: string };
  'vm:pause': { vmId: string; status: string };
  'vm:resume': { vmId: string; status: string };
}

export interface TaskPolicy {
  /** Hard limit for one attempt; the work is cancelled and what it started is killed. */
  timeoutMs: number;
  /** Attempts beyond the first one, for retryable failures only. */
  maxRetries: number;
  /** First retry delay; doubles each attempt. */
  backoffMs: number;
}

/** Defaults per task type; a request may override the timeout. */
export const TASK_POLICIES: Record<TaskType, TaskPolicy> = {
  'vm:create': { timeoutMs: 5 * 60_000, maxRetries: 2, backoffMs: 500 },
  'vm:execute': { timeoutMs: 10 * 60_000, maxRetries: 0, backoffMs: 0 },
  'vm:delete': { timeoutMs: 2 * 60_000, maxRetries: 3, backoffMs: 500 },
  'job:run': { timeoutMs: 30 * 60_000, maxRetries: 0, backoffMs: 0 },
  'vm:snapshot': { timeoutMs: 5 * 60_000, maxRetries: 1, backoffMs: 500 },
  'snapshot:delete': { timeoutMs: 2 * 60_000, maxRetries: 3, backoffMs: 500 },
  'vm:stop': { timeoutMs: 2 * 60_000, maxRetries: 3, backoffMs: 500 },
  'vm:pause': { timeoutMs: 60_000, maxRetries: 2, backoffMs: 500 },
  'vm:resume': { timeoutMs: 60_000, maxRetries: 2, backoffMs: 500 },
  'vm:start': { timeoutMs: 5 * 60_000, maxRetries: 2, backoffMs: 500 },
};

export interface TaskRecord<T extends TaskType = TaskType> {
  id: string;
  project: string;
  type: T;
  status: TaskStatus;
  statusReason: string | null;
  priority: TaskPriority;
  payload: TaskPayloads[T];
  result: TaskResults[T] | null;
  error: WireError | null;
  vmId: string | null;
  workerId: string | null;
  maxRetries: number;
  retryCount: number;
  /** Claim counter: each attempt holds the token its claim produced (see Store.transitionTask). */
  fencingToken: number;
  timeoutMs: number;
  /** How far a long attempt has come (tool installation of a vm:create); null when not reported. */
  progress: TaskProgress | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

/** A running attempt's progress: which step of how many, and what it is doing. */
export interface TaskProgress {
  /** What the steps are, e.g. `tools`. */
  phase: string;
  /** Steps done or under way (1-based), of `total`. */
  current: number;
  total: number;
  /** The step under way, e.g. a tool's name. */
  item: string | null;
  message: string;
  /** ISO 8601. */
  updatedAt: string;
}
