import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { SHARED_QUEUE, type TaskQueue, workerQueueName } from '../core/queue.js';
import type { NewExecution, NewTask, Store } from '../core/store.js';
import type { TaskRecord } from '../core/task.js';
import { TASK_POLICIES } from '../core/task.js';

/** The queue a task belongs on: VM work goes to the worker that owns the VM. */
export function queueFor(workerId: string | null): string {
  return workerId ? workerQueueName(workerId) : SHARED_QUEUE;
}

/**
 * Write the task to the store, then enqueue it under its own id. If enqueueing fails the task
 * stays `pending` in the store and the reconciler enqueues it later: nothing is lost.
 */
export async function recordAndEnqueue(
  deps: { store: Store; queue: TaskQueue; events: EventBus; logger: Logger },
  task: NewTask,
  options: { workerId: string | null; execution?: NewExecution },
): Promise<TaskRecord> {
  const record = await deps.store.insertTask(task, options.execution);
  await enqueueRecorded(deps, record, options.workerId);
  return record;
}

export async function enqueueRecorded(
  deps: { queue: TaskQueue; logger: Logger },
  task: TaskRecord,
  workerId: string | null,
): Promise<void> {
  try {
    await deps.queue.enqueue({
      taskId: task.id,
      type: task.type,
      priority: task.priority,
      attempts: task.maxRetries + 1,
      backoffMs: TASK_POLICIES[task.type].backoffMs,
      queueName: queueFor(workerId),
    });
  } catch (error) {
    deps.logger.warn({ err: error, taskId: task.id }, 'enqueue failed; the reconciler will retry');
  }
}
