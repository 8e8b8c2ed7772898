import type { WireError } from '../core/errors.js';
import type { EventBus, EventName, TaskEvent } from '../core/events.js';
import type { ExecutionRecord } from '../core/execution.js';
import type { TaskRecord, TaskStatus, TaskType } from '../core/task.js';
import type { VmStatus } from '../core/vm.js';

/**
 * The milestone of each status. `running` is `vm.started` (a start, a restart, a VM back from
 * lost) unless the caller says it is the first (`vm.created`, by the create) or a resume
 * (`vm.resumed`); the store's webhook trigger (migration 0022) tells them apart the same way.
 */
const VM_MILESTONES: Partial<Record<VmStatus, VmMilestone>> = {
  running: 'vm.started',
  paused: 'vm.paused',
  deleted: 'vm.deleted',
  stopped: 'vm.stopped',
  failed: 'vm.failed',
  lost: 'vm.lost',
};

export type VmMilestone = Extract<
  EventName,
  | 'vm.created'
  | 'vm.started'
  | 'vm.resumed'
  | 'vm.paused'
  | 'vm.deleted'
  | 'vm.stopped'
  | 'vm.failed'
  | 'vm.lost'
>;

const TASK_MILESTONES: Partial<Record<TaskStatus, EventName>> = {
  completed: 'task.completed',
  failed: 'task.failed',
  cancelled: 'task.cancelled',
};

/**
 * Announces a VM's new status: always `vm.status`, and its milestone event when it has one
 * (`milestone` overrides the status's own: `vm.created`, `vm.resumed`).
 */
export async function publishVm(
  events: EventBus,
  vm: { id: string; status: VmStatus; workerId?: string | null },
  reason: string,
  milestone: VmMilestone | undefined = VM_MILESTONES[vm.status],
): Promise<void> {
  const payload = { vmId: vm.id, status: vm.status, reason };
  await events.publish('vm.status', payload);
  if (milestone === 'vm.lost') await events.publish('vm.lost', { ...payload, workerId: vm.workerId ?? null });
  else if (milestone) await events.publish(milestone as 'vm.created', payload);
}

/**
 * Announces a task's new status: always `task.updated`, and `task.<terminal status>` at the end.
 * A whole record (not a summary) also travels with the event to readers in this process, with
 * the execution it completed with, if any (see TaskEvent).
 */
export async function publishTask(
  events: EventBus,
  task: TaskRecord | { id: string; type: TaskType; status: TaskStatus; error: WireError | null },
  execution?: ExecutionRecord,
): Promise<void> {
  const payload: TaskEvent = { taskId: task.id, type: task.type, status: task.status, error: task.error };
  if ('fencingToken' in task) payload.record = task;
  if (execution) payload.execution = execution;
  await events.publish('task.updated', payload);
  const milestone = TASK_MILESTONES[task.status];
  if (milestone) await events.publish(milestone as 'task.completed', payload);
}
