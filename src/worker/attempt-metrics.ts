import { isAetherError } from '../core/errors.js';
import { HandBack, PermanentFailure } from '../core/queue.js';
import type { TaskType } from '../core/task.js';
import type { TaskOutcome, WorkerMetrics } from '../metrics/worker-metrics.js';

/**
 * The outcome of an attempt that threw, read from what the processor hands the queue: a
 * `HandBack` goes back as it was, a `PermanentFailure` ends the task (its cause says whether by
 * cancel or time limit), anything else is retried by the queue.
 */
export function outcomeOf(thrown: unknown): TaskOutcome {
  if (thrown instanceof HandBack) return 'handed_back';
  if (!(thrown instanceof PermanentFailure)) return 'retrying';
  const cause: unknown = thrown.cause;
  if (isAetherError(cause) && cause.code === 'ERR_TASK_CANCELLED') return 'cancelled';
  if (isAetherError(cause) && cause.code === 'ERR_TASK_TIMEOUT') return 'timed_out';
  return 'failed';
}

/** Runs one claimed attempt and records how long it took and how it ended. */
export async function observeAttempt(
  metrics: WorkerMetrics,
  type: TaskType,
  attempt: () => Promise<void>,
): Promise<void> {
  const started = performance.now();
  let outcome: TaskOutcome = 'completed';
  try {
    await attempt();
  } catch (error) {
    outcome = outcomeOf(error);
    throw error;
  } finally {
    metrics.taskFinished(type, outcome, (performance.now() - started) / 1000);
  }
}
