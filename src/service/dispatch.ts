import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { driverQueueName, SHARED_QUEUE, type TaskQueue, workerQueueName } from '../core/queue.js';
import type { NewExecution, NewTask, Store } from '../core/store.js';
import type { TaskRecord, TaskType } from '../core/task.js';
import { TASK_POLICIES } from '../core/task.js';
import { isVmLive, type VmRecord } from '../core/vm.js';

/**
 * The queue a task goes to. VM work goes to the worker that holds the VM (its own queue); a
 * create to the queue of its VM's driver, which only workers running that driver consume (from
 * a snapshot: to the worker that holds the snapshot); a delete of a VM that holds nothing any
 * more (failed, lost: its worker may be dead) to the shared queue, where any worker records it;
 * a snapshot's delete where its payload says.
 */
export function queueOf(task: { type: TaskType; payload?: unknown }, vm: VmRecord | null): string {
  if (task.type === 'snapshot:delete') {
    return workerQueue((task.payload as { workerId: string | null }).workerId);
  }
  if (!vm) return SHARED_QUEUE;
  if (task.type === 'vm:create') {
    // A VM made from a snapshot is created where the snapshot's files are (its workerId, set
    // when it was recorded).
    const fromSnapshot = (task.payload as { snapshotId?: string } | undefined)?.snapshotId;
    return fromSnapshot ? workerQueue(vm.workerId) : driverQueueName(vm.driver);
  }
  if (task.type === 'vm:delete' && !isVmLive(vm.status)) return SHARED_QUEUE;
  return workerQueue(vm.workerId);
}

function workerQueue(workerId: string | null): string {
  return workerId ? workerQueueName(workerId) : SHARED_QUEUE;
}

/**
 * Write the task to the store, then enqueue it under its own id. If enqueueing fails the task
 * stays `pending` in the store and the reconciler enqueues it later: nothing is lost.
 */
export async function recordAndEnqueue(
  deps: { store: Store; queue: TaskQueue; events: EventBus; logger: Logger },
  task: NewTask,
  options: { vm: VmRecord | null; execution?: NewExecution },
): Promise<TaskRecord> {
  const record = await deps.store.insertTask(task, options.execution);
  await enqueueRecorded(deps, record, queueOf(record, options.vm));
  return record;
}

export async function enqueueRecorded(
  deps: { queue: TaskQueue; logger: Logger },
  task: TaskRecord,
  queueName: string,
): Promise<void> {
  try {
    await deps.queue.enqueue({
      taskId: task.id,
      type: task.type,
      priority: task.priority,
      attempts: task.maxRetries + 1,
      backoffMs: TASK_POLICIES[task.type].backoffMs,
      queueName,
    });
  } catch (error) {
    deps.logger.warn({ err: error, taskId: task.id }, 'enqueue failed; the reconciler will retry');
  }
}
