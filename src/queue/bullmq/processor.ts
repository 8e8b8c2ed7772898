/**
 * Adapts our `TaskProcessor` to a BullMQ processor: builds the `QueuedTask`, hands over BullMQ's
 * AbortSignal, and turns "do not retry" outcomes into BullMQ's `UnrecoverableError`.
 */
import { DelayedError, type Job, type Processor, UnrecoverableError } from 'bullmq';
import { HandBack, PermanentFailure, type QueuedTask, type TaskProcessor } from '../../core/queue.js';
import { TASK_TYPES, type TaskType } from '../../core/task.js';
import type { TaskJobData } from './backend.js';

function isTaskType(value: string): value is TaskType {
  return (TASK_TYPES as readonly string[]).includes(value);
}

function reasonText(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' && reason !== '' ? reason : 'cancelled';
}

/** An `UnrecoverableError` that keeps the original error as its cause. */
function unrecoverable(message: string, cause: unknown): UnrecoverableError {
  const error = new UnrecoverableError(message);
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
}

/**
 * `isPaused`: a BullMQ worker that is paused while it waits for a job still takes the job that
 * wakes it; such a job is handed straight back to the queue, untouched, for another consumer.
 */
export function toBullProcessor(processor: TaskProcessor, isPaused: () => boolean): Processor<TaskJobData> {
  // Three declared parameters: BullMQ only creates an AbortSignal for processors whose
  // `length` is at least 3.
  return async (job: Job<TaskJobData>, token: string | undefined, signal: AbortSignal | undefined) => {
    if (!job.id) throw new UnrecoverableError('job without id');
    if (isPaused() && token) {
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    if (!isTaskType(job.name)) throw new UnrecoverableError(`unknown task type ${job.name}`);
    const task: QueuedTask = { taskId: job.id, type: job.name, attempt: job.attemptsMade + 1 };
    const effective = signal ?? new AbortController().signal;
    try {
      await processor(task, effective);
    } catch (error) {
      // A cancelled task must not come back, whatever the processor threw on its way out.
      if (effective.aborted) throw unrecoverable(`cancelled: ${reasonText(effective)}`, error);
      if (error instanceof PermanentFailure) throw unrecoverable(error.message, error);
      if (error instanceof HandBack && token) {
        // Back to the queue at once, without spending an attempt (BullMQ's manual delay).
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      throw error;
    }
  };
}
