import { AetherError, isAetherError, toWireError } from '../core/errors.js';
import { PermanentFailure, type QueuedTask } from '../core/queue.js';
import type { TaskRecord, TaskType } from '../core/task.js';
import type { HandlerContext, TaskHandlers } from './context.js';

/**
 * The queue processor: walks a task through its lifecycle in the store around its handler.
 * - A delivery of a task that is already terminal is dropped (at-least-once queues redeliver).
 * - The task's time limit aborts the handler's signal, which kills what it started.
 * - Retryable failures with attempts left go back to `pending` and are rethrown for the queue to
 *   retry; every other failure is final and marked so the queue does not retry it.
 */
export function createTaskProcessor(ctx: HandlerContext, handlers: TaskHandlers) {
  return async function processTask(queued: QueuedTask, queueSignal: AbortSignal): Promise<void> {
    // Claim first, read only when the claim fails: one round trip on the hot path.
    const started = await ctx.store.transitionTask(
      queued.taskId,
      {
        from: ['pending', 'processing'],
        to: 'processing',
        reason: `attempt ${queued.attempt} on ${ctx.settings.workerId}`,
      },
      { workerId: ctx.settings.workerId, startedAt: new Date() },
    );
    if (!started) {
      const existing = await ctx.store.getTask(queued.taskId);
      if (!existing) throw new PermanentFailure(`task ${queued.taskId} is not in the store`);
      return; // already terminal: a redelivery of finished work
    }
    const task = started;
    await publishTask(ctx, started);

    const limit = new AbortController();
    const timer = setTimeout(
      () =>
        limit.abort(
          new AetherError('ERR_TASK_TIMEOUT', `${task.type} exceeded its ${task.timeoutMs} ms limit`),
        ),
      task.timeoutMs,
    );
    const signal = AbortSignal.any([queueSignal, limit.signal]);
    try {
      const handler = handlers[task.type] as (
        c: HandlerContext,
        t: TaskRecord,
        s: AbortSignal,
      ) => Promise<unknown>;
      const result = await handler(ctx, started, signal);
      const completed = await ctx.store.transitionTask(
        task.id,
        { from: ['processing'], to: 'completed', reason: 'handler finished' },
        { result, error: null, completedAt: new Date() },
      );
      if (completed) await publishTask(ctx, completed);
    } catch (thrown) {
      const error = signal.aborted && !isAetherError(thrown) ? signalReason(signal) : thrown;
      await recordFailure(ctx, started, error, queued.attempt);
    } finally {
      clearTimeout(timer);
    }
  };
}

function signalReason(signal: AbortSignal): AetherError {
  const reason: unknown = signal.reason;
  if (isAetherError(reason)) return reason;
  return new AetherError('ERR_TASK_CANCELLED', 'the task was cancelled');
}

async function recordFailure(
  ctx: HandlerContext,
  task: TaskRecord,
  error: unknown,
  attempt: number,
): Promise<never> {
  const wire = toWireError(error);
  const retriesUsed = attempt - 1;
  if (wire.retryable && retriesUsed < task.maxRetries) {
    await ctx.store.transitionTask(
      task.id,
      { from: ['processing'], to: 'pending', reason: `attempt ${attempt} failed (${wire.code}); retrying` },
      { error: wire, retryCount: retriesUsed + 1 },
    );
    throw error instanceof Error ? error : new Error(wire.message);
  }
  const failed = await ctx.store.transitionTask(
    task.id,
    { from: ['processing'], to: 'failed', reason: `${wire.code}: ${wire.message}` },
    { error: wire, completedAt: new Date(), retryCount: retriesUsed },
  );
  if (failed) {
    await publishTask(ctx, failed);
    await markVmFailedIfCreating(ctx, failed, wire.message);
  }
  throw new PermanentFailure(wire.message, { cause: error });
}

/** A create that gave up leaves a VM that will never run: say so on the VM itself. */
async function markVmFailedIfCreating(ctx: HandlerContext, task: TaskRecord, message: string): Promise<void> {
  if (task.type !== 'vm:create' || !task.vmId) return;
  const vm = await ctx.store.transitionVm(task.vmId, {
    from: ['pending', 'creating'],
    to: 'failed',
    reason: message,
  });
  if (vm) await ctx.events.publish('vm.status', { vmId: vm.id, status: 'failed', reason: message });
}

function publishTask(ctx: HandlerContext, task: TaskRecord<TaskType>): Promise<void> {
  return ctx.events.publish('task.updated', {
    taskId: task.id,
    type: task.type,
    status: task.status,
    error: task.error,
  });
}
