import { AetherError, type WireError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import { isRerunnable, isTaskTerminal, type TaskRecord, type TaskStatus } from '../core/task.js';
import { enqueueRecorded, queueOf } from './dispatch.js';
import { publishTask } from './publish.js';
import { storedOutputText } from './stored-output.js';

export interface AbandonDeps {
  store: Store;
  queue: TaskQueue;
  events: EventBus;
  logger: Logger;
}

export type AbandonOutcome = 'requeued' | 'completed' | 'failed' | 'unchanged';

/**
 * Ends an attempt that will never report back (its worker died, was replaced, or stopped in
 * the middle), so that the task says what the store knows:
 * - A command whose outcome was recorded before its worker stopped (the execution is complete,
 *   the task not yet) ends as that outcome: completed with its exit code, or failed with its
 *   error. It is never run again.
 * - A task that may simply run again (`isRerunnable`, and `rerun` allowed) goes back to
 *   `pending` and is queued again.
 * - Any other task fails. Its unfinished executions get the outcome first, then the task, so
 *   whoever wakes on the task's end reads executions that are final. A task no attempt ever
 *   claimed (fencing token 0) provably ran nothing: it fails with ERR_TASK_NOT_STARTED, safe to
 *   submit again; one that was claimed has an unknown outcome (`error`) and is never run a
 *   second time behind the caller's back.
 *
 * Every write is conditional on the attempt the caller read (`fencingToken`, else the token of
 * `task` as read): `unchanged` means someone else moved the task meanwhile.
 */
export async function abandonTask(
  deps: AbandonDeps,
  task: TaskRecord,
  error: AetherError,
  options: {
    rerun: boolean;
    fencingToken?: number;
    /** The attempt's process is known to be gone: its hold on the queued task is void at once. */
    holderGone?: boolean;
  },
): Promise<AbandonOutcome> {
  const fencingToken = options.fencingToken ?? task.fencingToken;
  const recorded = await settleFromRecordedExecution(deps, task, fencingToken);
  if (recorded) return recorded;
  if (options.rerun && isRerunnable(task) && task.status === 'processing') {
    const back = await deps.store.transitionTask(task.id, {
      from: ['processing'],
      to: 'pending',
      reason: `${error.message}; queued again`,
      fencingToken,
    });
    if (!back) return 'unchanged';
    const vm = task.vmId ? await deps.store.getVm(task.vmId) : null;
    const queueName = queueOf(back, vm);
    await enqueueRecorded(deps, back, queueName);
    // The queue may still hold the task as taken by the attempt that died; a lapsed (or, with
    // holderGone, void) hold goes back to waiting now. Otherwise the reconciler retries later.
    await deps.queue
      .reclaim(back.id, queueName, { holderGone: options.holderGone ?? false })
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, taskId: back.id }, 'reclaim failed; the reconciler will retry'),
      );
    await publishTask(deps.events, back);
    return 'requeued';
  }
  const wire = (neverClaimed(task) ? notStarted(task, error) : error).toWire();
  await recordUnfinishedExecutions(deps.store, task, wire, fencingToken);
  const failed = await deps.store.transitionTask(
    task.id,
    {
      from: ['pending', 'processing'],
      to: 'failed',
      reason: `${wire.code}: ${wire.message}`,
      fencingToken,
    },
    { error: wire, completedAt: new Date() },
  );
  if (!failed) return 'unchanged';
  await publishTask(deps.events, failed);
  if (failed.type === 'job:run') {
    await deps.store.updateJob((failed.payload as { jobId: string }).jobId, { status: 'failed' });
  }
  return 'failed';
}

/** No attempt ever claimed it: a claim bumps the token before any handler runs. */
function neverClaimed(task: TaskRecord): boolean {
  return task.fencingToken === 0 && task.status === 'pending';
}

function notStarted(task: TaskRecord, cause: AetherError): AetherError {
  return new AetherError(
    'ERR_TASK_NOT_STARTED',
    `${task.type} never started: ${cause.message}. Nothing of it ran, so it is safe to submit again`,
    { cause, details: { cause: cause.code } },
  );
}

/**
 * A command whose worker recorded its outcome and stopped before recording the task's end: the
 * task takes that outcome. Null when there is none to take (not a command, or still unfinished).
 */
async function settleFromRecordedExecution(
  deps: AbandonDeps,
  task: TaskRecord,
  fencingToken: number,
): Promise<AbandonOutcome | null> {
  if (task.type !== 'vm:execute' || isTaskTerminal(task.status)) return null;
  const { executionId } = task.payload as { executionId: string };
  const execution = await deps.store.getExecution(executionId);
  if (!execution?.completedAt) return null;
  const reason = 'its outcome was recorded before its worker stopped';
  const change = { from: ['pending', 'processing'] as TaskStatus[], fencingToken };
  const settled = execution.error
    ? await deps.store.transitionTask(
        task.id,
        { ...change, to: 'failed', reason: `${execution.error.code}: ${reason}` },
        { error: execution.error, completedAt: execution.completedAt },
      )
    : await deps.store.transitionTask(
        task.id,
        { ...change, to: 'completed', reason },
        {
          result: { executionId, exitCode: execution.exitCode, timedOut: execution.timedOut },
          error: null,
          completedAt: execution.completedAt,
        },
      );
  if (!settled) return 'unchanged';
  await publishTask(deps.events, settled);
  return settled.status === 'completed' ? 'completed' : 'failed';
}

/**
 * Executions of the task that started or waited and never finished get the error as outcome,
 * while the attempt read still holds the task.
 */
async function recordUnfinishedExecutions(
  store: Store,
  task: TaskRecord,
  error: WireError,
  fencingToken: number,
): Promise<void> {
  if (!task.vmId || (task.type !== 'vm:execute' && task.type !== 'job:run')) return;
  const ids =
    task.type === 'vm:execute'
      ? [(task.payload as { executionId: string }).executionId]
      : (await store.listExecutions(task.vmId, { limit: 200 }))
          .filter((execution) => execution.taskId === task.id)
          .map((execution) => execution.id);
  const fence = { taskId: task.id, fencingToken, taskStatuses: ['pending', 'processing'] as const };
  for (const id of ids) {
    const execution = await store.getExecution(id);
    if (!execution || execution.completedAt) continue;
    const now = new Date();
    const startedAt = execution.startedAt ?? now;
    const output = (await storedOutputText(store, id)) ?? execution;
    await store.completeExecution(
      id,
      {
        exitCode: null,
        stdout: output.stdout,
        stderr: output.stderr,
        stdoutTruncated: execution.stdoutTruncated,
        stderrTruncated: execution.stderrTruncated,
        timedOut: false,
        signal: null,
        error,
        startedAt,
        completedAt: now,
        durationMs: now.getTime() - startedAt.getTime(),
      },
      fence,
    );
  }
}
