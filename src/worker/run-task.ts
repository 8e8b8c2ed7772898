import { AetherError, isAetherError, toWireError } from '../core/errors.js';
import { HandBack, PermanentFailure, type QueuedTask } from '../core/queue.js';
import type { TaskPatch } from '../core/store.js';
import { isRerunnable, type TaskRecord, type TaskType } from '../core/task.js';
import type { VmStatus } from '../core/vm.js';
import { abandonTask } from '../service/abandon.js';
import { publishTask, publishVm } from '../service/publish.js';
import type { ActiveTasks } from './active-tasks.js';
import { observeAttempt } from './attempt-metrics.js';
import type { Attempt, HandlerContext, TaskHandlers } from './context.js';
import { persistently } from './persist.js';

/**
 * The queue processor: walks a task through its lifecycle in the store around its handler.
 * - Each claim bumps the task's fencing token, and every later write of this attempt carries
 *   it: once another attempt has claimed the task, this one's writes change nothing.
 * - A delivery of a task that is already terminal is dropped (at-least-once queues redeliver).
 * - A delivery of a task the store says is running elsewhere means that attempt's worker
 *   stalled or died: a create or delete is taken over; a command is not run again (its outcome
 *   is unknown) unless the caller marked it retry-safe.
 * - The task's time limit aborts the handler's signal, which kills what it started.
 * - Retryable failures with attempts left go back to `pending` and are rethrown for the queue to
 *   retry; every other failure is final and marked so the queue does not retry it.
 * - When the worker gives its work up (drain deadline, lost lease), a task that may run again
 *   is handed back to the queue; any other ends with an unknown outcome.
 */
export function createTaskProcessor(ctx: HandlerContext, handlers: TaskHandlers, active: ActiveTasks) {
  return async function processTask(queued: QueuedTask, queueSignal: AbortSignal): Promise<void> {
    if (active.has(queued.taskId)) return; // a duplicate delivery of what this process runs now
    // Tracked from before the claim, so the sweep of unfinished tasks never takes one being claimed.
    await active.run(queued.taskId, async (workerSignal) => {
      const claimed = await claim(ctx, queued);
      if (!claimed) return;
      const { task, attempt } = claimed;
      // Events are fire-and-forget (publish never throws): not worth a round trip on the hot path.
      void publishTask(ctx.events, task);
      await observeAttempt(ctx.metrics, task.type, () =>
        runClaimed({ ...ctx, attempt }, handlers, task, queued, queueSignal, workerSignal),
      );
    });
  };
}

async function runClaimed(
  ctx: HandlerContext,
  handlers: TaskHandlers,
  task: TaskRecord,
  queued: QueuedTask,
  queueSignal: AbortSignal,
  workerSignal: AbortSignal,
): Promise<void> {
  const limit = new AbortController();
  const timer = setTimeout(
    () =>
      limit.abort(
        new AetherError('ERR_TASK_TIMEOUT', `${task.type} exceeded its ${task.timeoutMs} ms limit`),
      ),
    task.timeoutMs,
  );
  const signal = AbortSignal.any([queueSignal, limit.signal, workerSignal]);
  // Every line about this task names it, its VM and its project (the logs API filters on them).
  const taskLogger = ctx.logger.child({
    task_id: task.id,
    task_type: task.type,
    project: task.project,
    ...(task.vmId ? { vm_id: task.vmId } : {}),
  });
  const started = performance.now();
  try {
    const handler = handlers[task.type] as (
      c: HandlerContext,
      t: TaskRecord,
      s: AbortSignal,
    ) => Promise<unknown>;
    const result = await handler({ ...ctx, logger: taskLogger }, task, signal);
    const completedAt = new Date();
    const completedWith = ctx.attempt?.completed;
    const completed =
      completedWith?.task ??
      (await persistently(ctx, 'a completion', () =>
        ctx.store.transitionTask(
          task.id,
          {
            from: ['processing'],
            to: 'completed',
            reason: 'handler finished',
            fencingToken: task.fencingToken,
          },
          { result, error: null, completedAt },
        ),
      ));
    if (completed) void publishTask(ctx.events, completed, completedWith?.execution);
    else reportStale(ctx, task, 'completion');
    taskLogger.info(
      { attempt: queued.attempt, ms: Math.round(performance.now() - started) },
      `${task.type} completed`,
    );
  } catch (thrown) {
    if (workerSignal.aborted) await giveUp(ctx, task, workerSignal.reason as AetherError);
    const error = signal.aborted && !isAetherError(thrown) ? signalReason(signal) : thrown;
    taskLogger.warn({ err: toWireError(error), attempt: queued.attempt }, `${task.type} failed`);
    await recordFailure(ctx, task, error, queued.attempt);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Claims the task for this attempt (one statement on the common path, which also reads the
 * task's VM) and returns it with its new fencing token, or null when there is nothing to run.
 */
async function claim(
  ctx: HandlerContext,
  queued: QueuedTask,
): Promise<{ task: TaskRecord; attempt: Attempt } | null> {
  const workerId = ctx.settings.workerId;
  const startedAt = new Date();
  const reason = `attempt ${queued.attempt} on ${workerId}`;
  const fresh = await ctx.store.claimTask(queued.taskId, { workerId, startedAt, reason });
  if (fresh) return { task: fresh.task, attempt: { claimedVm: fresh.vm, completed: null } };
  const taken = await takeOver(ctx, queued, { workerId, startedAt, newAttempt: true }, reason);
  return taken ? { task: taken, attempt: { completed: null } } : null;
}

/**
 * A task that is not pending: finished (a redelivery: nothing to do), or running elsewhere,
 * whose attempt stalled or died: taken over when it may run again, else ended as interrupted.
 */
async function takeOver(
  ctx: HandlerContext,
  queued: QueuedTask,
  patch: TaskPatch,
  reason: string,
): Promise<TaskRecord | null> {
  const existing = await ctx.store.getTask(queued.taskId);
  if (!existing) throw new PermanentFailure(`task ${queued.taskId} is not in the store`);
  if (existing.status !== 'processing') return null; // terminal: a redelivery of finished work
  if (isRerunnable(existing)) {
    return ctx.store.transitionTask(
      existing.id,
      {
        from: ['processing'],
        to: 'processing',
        reason: `${reason}, taking over from ${existing.workerId ?? 'an unknown worker'}`,
        fencingToken: existing.fencingToken,
      },
      patch,
    );
  }
  const interrupted = new AetherError(
    'ERR_TASK_INTERRUPTED',
    `the attempt on worker ${existing.workerId ?? '?'} stopped reporting while ${existing.type} ran; its outcome is unknown, so it was not run again`,
  );
  await abandonTask(ctx, existing, interrupted, { rerun: false, fencingToken: existing.fencingToken });
  return null;
}

/** The worker stopped this task (drain deadline or lost lease): hand it back or end it. */
async function giveUp(ctx: HandlerContext, task: TaskRecord, reason: AetherError): Promise<never> {
  const outcome = await abandonTask(ctx, task, reason, {
    rerun: true,
    fencingToken: task.fencingToken,
  }).catch((error: unknown) => {
    // The store may be what is gone; the reaper settles this task once the worker is declared dead.
    ctx.logger.warn({ err: error, taskId: task.id }, 'could not record giving a task up');
    return 'unchanged' as const;
  });
  if (outcome === 'requeued') throw new HandBack(reason.message);
  throw new PermanentFailure(reason.message, { cause: reason });
}

function reportStale(ctx: HandlerContext, task: TaskRecord, what: string): void {
  ctx.logger.warn(
    { taskId: task.id, fencingToken: task.fencingToken, code: 'ERR_STALE_ATTEMPT' },
    `stale attempt: its ${what} was refused (another attempt holds the task)`,
  );
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
    const back = await persistently(ctx, 'a retry', () =>
      ctx.store.transitionTask(
        task.id,
        {
          from: ['processing'],
          to: 'pending',
          reason: `attempt ${attempt} failed (${wire.code}); retrying`,
          fencingToken: task.fencingToken,
        },
        { error: wire, retryCount: retriesUsed + 1 },
      ),
    );
    if (!back) {
      reportStale(ctx, task, 'retry');
      throw new PermanentFailure(wire.message, { cause: error });
    }
    throw error instanceof Error ? error : new Error(wire.message);
  }
  const completedAt = new Date();
  const failed = await persistently(ctx, 'a failure', () =>
    ctx.store.transitionTask(
      task.id,
      {
        from: ['processing'],
        to: 'failed',
        reason: `${wire.code}: ${wire.message}`,
        fencingToken: task.fencingToken,
      },
      { error: wire, completedAt, retryCount: retriesUsed },
    ),
  );
  if (failed) {
    await publishTask(ctx.events, failed);
    await markVmGivenUp(ctx, failed, wire.message);
  } else {
    reportStale(ctx, task, 'failure');
  }
  throw new PermanentFailure(wire.message, { cause: error });
}

/**
 * A VM task that gave up says so on the VM itself: a create leaves a VM that will never run; a
 * start leaves a VM whose files are intact, stopped again; a stop leaves one in an unknown state.
 */
const GAVE_UP: Partial<Record<TaskType, { from: readonly VmStatus[]; to: VmStatus; prefix: string }>> = {
  'vm:create': { from: ['pending', 'creating'], to: 'failed', prefix: '' },
  'vm:start': { from: ['creating'], to: 'stopped', prefix: 'start failed: ' },
  'vm:stop': { from: ['stopping'], to: 'failed', prefix: 'stop failed: ' },
};

async function markVmGivenUp(ctx: HandlerContext, task: TaskRecord, message: string): Promise<void> {
  const change = GAVE_UP[task.type];
  if (!change || !task.vmId) return;
  const reason = `${change.prefix}${message}`;
  const vm = await ctx.store.transitionVm(task.vmId, { from: change.from, to: change.to, reason });
  if (vm) await publishVm(ctx.events, vm, reason);
}
