import type { AetherError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import { isRerunnable, type TaskRecord } from '../core/task.js';
import { enqueueRecorded, queueOf } from './dispatch.js';
import { publishTask } from './publish.js';
import { storedOutputText } from './stored-output.js';

export interface AbandonDeps {
  store: Store;
  queue: TaskQueue;
  events: EventBus;
  logger: Logger;
}

export type AbandonOutcome = 'requeued' | 'failed' | 'unchanged';

/**
 * Ends an attempt that will never report back (its worker died, was replaced, or stopped in
 * the middle). A task that may simply run again (`isRerunnable`, and `rerun` allowed) goes back
 * to `pending` and is queued again. Any other task fails with `error`, and its unfinished
 * executions are recorded with that error: their outcome is unknown, and they are never run a
 * second time behind the caller's back.
 *
 * `fencingToken` (when the caller read the task as held by a specific attempt) makes every
 * write conditional on that attempt still holding it; `unchanged` means someone else moved it.
 */
export async function abandonTask(
  deps: AbandonDeps,
  task: TaskRecord,
  error: AetherError,
  options: { rerun: boolean; fencingToken?: number },
): Promise<AbandonOutcome> {
  const fence = options.fencingToken === undefined ? {} : { fencingToken: options.fencingToken };
  if (options.rerun && isRerunnable(task) && task.status === 'processing') {
    const back = await deps.store.transitionTask(task.id, {
      from: ['processing'],
      to: 'pending',
      reason: `${error.message}; queued again`,
      ...fence,
    });
    if (!back) return 'unchanged';
    const vm = task.vmId ? await deps.store.getVm(task.vmId) : null;
    await enqueueRecorded(deps, back, queueOf(back, vm));
    await publishTask(deps.events, back);
    return 'requeued';
  }
  const wire = error.toWire();
  const failed = await deps.store.transitionTask(
    task.id,
    { from: ['pending', 'processing'], to: 'failed', reason: `${wire.code}: ${wire.message}`, ...fence },
    { error: wire, completedAt: new Date() },
  );
  if (!failed) return 'unchanged';
  await publishTask(deps.events, failed);
  await recordUnfinishedExecutions(deps.store, failed, wire);
  if (failed.type === 'job:run') {
    await deps.store.updateJob((failed.payload as { jobId: string }).jobId, { status: 'failed' });
  }
  return 'failed';
}

/** Executions of the task that started or waited and never finished get the error as outcome. */
async function recordUnfinishedExecutions(
  store: Store,
  task: TaskRecord,
  error: ReturnType<AetherError['toWire']>,
): Promise<void> {
  if (!task.vmId || (task.type !== 'vm:execute' && task.type !== 'job:run')) return;
  const ids =
    task.type === 'vm:execute'
      ? [(task.payload as { executionId: string }).executionId]
      : (await store.listExecutions(task.vmId, { limit: 200 }))
          .filter((execution) => execution.taskId === task.id)
          .map((execution) => execution.id);
  for (const id of ids) {
    const execution = await store.getExecution(id);
    if (!execution || execution.completedAt) continue;
    const now = new Date();
    const startedAt = execution.startedAt ?? now;
    const output = (await storedOutputText(store, id)) ?? execution;
    await store.completeExecution(id, {
      exitCode: null,
      stdout: output.stdout,
      stderr: output.stderr,
      stdoutTruncated: execution.stdoutTruncated,
      stderrTruncated: execution.stderrTruncated,
      timedOut: false,
      error,
      startedAt,
      completedAt: now,
      durationMs: now.getTime() - startedAt.getTime(),
    });
  }
}
