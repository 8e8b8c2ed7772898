import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { SHARED_QUEUE, type TaskQueue, workerQueueName } from '../core/queue.js';
import type { NewExecution, NewTask, Store } from '../core/store.js';
import type { TaskRecord, TaskType } from '../core/task.js';
import { TASK_POLICIES } from '../core/task.js';
import { isVmLive, type VmRecord } from '../core/vm.js';

/**
 * The worker whose own queue a task goes to, or null for the shared queue. VM work goes to the
 * worker that holds the VM; a create to whoever has capacity (from a snapshot: to the worker that
 * holds the snapshot); a delete of a VM that holds nothing any more (failed, lost: its worker may
 * be dead) to any worker, which records it; a snapshot's delete where its payload says.
 */
export function ownerOf(task: { type: TaskType; payload?: unknown }, vm: VmRecord | null): string | null {
  if (task.type === 'snapshot:delete') return (task.payload as { workerId: string | null }).workerId;
  if (!vm) return null;
  // A VM made from a snapshot is created where the snapshot's files are (its workerId, set
  // when it was recorded).
  if (task.type === 'vm:create') {
    return (task.payload as { snapshotId?: string } | undefined)?.snapshotId ? vm.workerId : null;
  }
  if (task.type === 'vm:delete' && !isVmLive(vm.status)) return null;
  return vm.workerId;
}

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
