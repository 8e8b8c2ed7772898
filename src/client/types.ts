/**
 * The API's wire shapes as the client sees them (snake_case, ISO timestamps), under the names
 * the CLI and users know. Each is the wire contract's own type (src/api), never a copy.
 */
import type { RouteAnswer } from '../api/types.js';

export type {
  ApiError as ApiErrorBody,
  CreateVmRequest,
  ExecuteRequest,
  Execution,
  ExecutionStreamLine as StreamLine,
  Health,
  Job,
  JobRequest,
  LogLine,
  Snapshot,
  Task,
  Vm,
  Worker as WorkerInfo,
} from '../api/types.js';

/** What every write answers at once: the task's id and status. */
export type WriteAccepted = Pick<RouteAnswer<'createVm', 202>, 'task_id' | 'status'>;
