/** How one `enqueue` call becomes BullMQ job options. */
import type { JobsOptions } from 'bullmq';
import type { EnqueueOptions } from '../../core/queue.js';
import { PRIORITY_RANK } from '../../core/task.js';
import type { JobRetention } from './backend.js';

export function toJobOptions(options: EnqueueOptions, retention: JobRetention): JobsOptions {
  const attempts = Math.max(1, Math.floor(options.attempts));
  const jobOptions: JobsOptions = {
    // The task id, so enqueueing a queued or running task again does nothing.
    jobId: options.taskId,
    priority: PRIORITY_RANK[options.priority],
    attempts,
    // The store is the record: completed jobs go at once, failed ones stay a while for inspection.
    removeOnComplete: true,
    removeOnFail: { count: retention.keepFailedCount, age: retention.keepFailedAgeSec },
  };
  // BullMQ's exponential backoff waits delay * 2^(n-1) before retry n: 1x, 2x, 4x ...
  if (attempts > 1 && options.backoffMs > 0)
    jobOptions.backoff = { type: 'exponential', delay: options.backoffMs };
  return jobOptions;
}
