/**
 * What a fleet did lately, as the overview reads it from the store: executions per minute with
 * their latency, and the latest failures. Figures only, so an answer stays small whatever the
 * output of the commands counted.
 */
import type { WireError } from './errors.js';
import type { TaskType } from './task.js';

/**
 * Executions that ended in a span of time. `failed`: those that did not exit with code 0
 * (a non-zero exit, a time-out, a signal, or an error before or while running).
 */
export interface ExecutionStats {
  count: number;
  failed: number;
  /** Percentiles of `durationMs` (continuous, so possibly fractional); null when none had one. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** One minute's executions; `minute` is its start. */
export interface ExecutionMinute extends ExecutionStats {
  minute: Date;
}

/** Executions that ended since a time: per minute (minutes without any left out), and in all. */
export interface ExecutionActivity {
  minutes: ExecutionMinute[];
  total: ExecutionStats;
}

export interface ActivityFilter {
  /** Only this project's; every project's when absent. */
  project?: string;
  since: Date;
}

/**
 * A task or an execution that failed. Executions failed as `ExecutionStats` counts them; tasks
 * in status `failed`, except `vm:execute` ones, whose execution is the failure to show.
 */
export interface RecentFailure {
  kind: 'task' | 'execution';
  id: string;
  vmId: string | null;
  /** The task's type; `execute` for an execution. */
  type: TaskType | 'execute';
  error: WireError | null;
  /** An execution's end when it had no error of its own (always null and false for tasks). */
  exitCode: number | null;
  timedOut: boolean;
  signal: string | null;
  /** When it failed: the task's or the execution's completion. */
  at: Date;
}

export interface FailureFilter extends ActivityFilter {
  limit: number;
}
