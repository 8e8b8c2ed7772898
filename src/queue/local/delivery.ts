/**
 * One delivery of a task to a processor, and what the queue should do next. The rules are
 * BullMQ's (see bullmq/processor.ts): a cancelled delivery or a `PermanentFailure` is never
 * retried; any other error is, until the task's attempts are spent.
 */
import { HandBack, PermanentFailure, type QueuedTask, type TaskProcessor } from '../../core/queue.js';

export type DeliveryOutcome =
  | { kind: 'completed' }
  | { kind: 'retry'; error: unknown }
  | { kind: 'handed-back'; reason: string }
  | { kind: 'failed'; reason: string; error: unknown; cancelled: boolean };

/**
 * Runs `processor` and sorts its result. Never rejects: a processor's error is data here, so it
 * cannot surface as an unhandled rejection.
 */
export async function deliver(
  processor: TaskProcessor,
  task: QueuedTask,
  attempts: number,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  try {
    // Inside the try, so a processor that throws before returning a promise is caught too.
    await processor(task, signal);
    return { kind: 'completed' };
  } catch (error) {
    // A cancelled task must not come back, whatever the processor threw on its way out.
    if (signal.aborted)
      return { kind: 'failed', reason: `cancelled: ${reasonText(signal)}`, error, cancelled: true };
    if (error instanceof HandBack) return { kind: 'handed-back', reason: error.message };
    if (error instanceof PermanentFailure)
      return { kind: 'failed', reason: error.message, error, cancelled: false };
    if (task.attempt < attempts) return { kind: 'retry', error };
    return { kind: 'failed', reason: errorText(error), error, cancelled: false };
  }
}

/** BullMQ's exponential backoff: `backoffMs * 2^(n-1)` before retry n (1x, 2x, 4x ...). */
export function retryDelayMs(backoffMs: number, attemptsMade: number): number {
  return backoffMs > 0 ? backoffMs * 2 ** (attemptsMade - 1) : 0;
}

function reasonText(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' && reason !== '' ? reason : 'cancelled';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
