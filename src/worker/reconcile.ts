import type { VmDriver } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import { isVmLive } from '../core/vm.js';
import { enqueueRecorded, queueFor } from '../service/dispatch.js';
import type { HandlerContext } from './context.js';

/**
 * On start, make what the drivers have agree with what the store wants:
 * - a sandbox the store does not want (unknown, deleted, failed) is destroyed;
 * - a VM the store says is running but the driver no longer has is marked `lost`.
 */
export async function reconcileVms(ctx: HandlerContext): Promise<{ destroyed: number; lost: number }> {
  let destroyed = 0;
  let lost = 0;
  const mine = await ctx.store.listVms({ workerId: ctx.settings.workerId });
  const wanted = new Map(mine.filter((vm) => isVmLive(vm.status)).map((vm) => [vm.id, vm]));
  for (const [name, driver] of ctx.drivers) {
    const present = await driver.list();
    const presentIds = new Set(present.filter((info) => info.state !== 'missing').map((info) => info.id));
    for (const id of presentIds) {
      const vm = wanted.get(id);
      if (vm && vm.driver === name) continue;
      await destroyQuietly(driver, id, ctx.logger);
      destroyed++;
    }
    for (const vm of wanted.values()) {
      if (vm.driver !== name || presentIds.has(vm.id) || vm.status === 'creating') continue;
      const reason = `sandbox not found when worker ${ctx.settings.workerId} started`;
      const marked = await ctx.store.transitionVm(vm.id, {
        from: ['running', 'stopping'],
        to: 'lost',
        reason,
      });
      if (marked) {
        lost++;
        await ctx.events.publish('vm.status', { vmId: vm.id, status: 'lost', reason });
      }
    }
  }
  return { destroyed, lost };
}

async function destroyQuietly(driver: VmDriver, id: string, logger: Logger): Promise<void> {
  try {
    await driver.destroy(id);
    logger.info({ vmId: id, driver: driver.name }, 'destroyed a sandbox the store does not want');
  } catch (error) {
    logger.warn({ err: error, vmId: id }, 'could not destroy an orphaned sandbox');
  }
}

/** Re-enqueue tasks the store says are pending but the queue no longer holds. */
export async function requeueLostTasks(
  deps: { store: Store; queue: TaskQueue; logger: Logger },
  olderThanMs: number,
): Promise<number> {
  const pending = await deps.store.listTasks({ status: ['pending'], limit: 500 });
  const cutoff = Date.now() - olderThanMs;
  let requeued = 0;
  for (const task of pending) {
    if (task.updatedAt.getTime() > cutoff) continue;
    const vm = task.vmId && task.type !== 'vm:create' ? await deps.store.getVm(task.vmId) : null;
    const workerId = vm?.workerId ?? null;
    if (await deps.queue.has(task.id, queueFor(workerId))) continue;
    await enqueueRecorded(deps, task, workerId);
    requeued++;
  }
  if (requeued > 0) deps.logger.warn({ requeued }, 're-enqueued pending tasks the queue had lost');
  return requeued;
}

/**
 * Tasks this worker was running when it last stopped (crash, kill -9, power loss). Creates and
 * deletes are idempotent and go back to the queue; a command's outcome is unknown — it may
 * have run, wholly or in part — so it is failed with ERR_TASK_INTERRUPTED rather than run twice.
 * Call before consuming, so none of these is one this worker is running now.
 */
export async function recoverInterruptedTasks(
  ctx: HandlerContext,
): Promise<{ requeued: number; failed: number }> {
  const mine = (await ctx.store.listTasks({ status: ['processing'], limit: 1000 })).filter(
    (task) => task.workerId === ctx.settings.workerId,
  );
  let requeued = 0;
  let failed = 0;
  for (const task of mine) {
    if (task.type === 'vm:create' || task.type === 'vm:delete') {
      const back = await ctx.store.transitionTask(task.id, {
        from: ['processing'],
        to: 'pending',
        reason: `worker ${ctx.settings.workerId} restarted during the task; queued again`,
      });
      if (back) {
        const vm = task.vmId ? await ctx.store.getVm(task.vmId) : null;
        await enqueueRecorded(ctx, back, task.type === 'vm:create' ? null : (vm?.workerId ?? null));
        requeued++;
      }
      continue;
    }
    const error = new AetherError(
      'ERR_TASK_INTERRUPTED',
      `worker ${ctx.settings.workerId} stopped while ${task.type} ran; its outcome is unknown, so it was not run again`,
    ).toWire();
    const marked = await ctx.store.transitionTask(
      task.id,
      { from: ['processing'], to: 'failed', reason: error.message },
      { error, completedAt: new Date() },
    );
    if (!marked) continue;
    failed++;
    await ctx.events.publish('task.updated', { taskId: task.id, type: task.type, status: 'failed', error });
    if (task.type === 'vm:execute') {
      const payload = task.payload as { executionId: string };
      const execution = await ctx.store.getExecution(payload.executionId);
      if (execution && !execution.completedAt) {
        const now = new Date();
        const startedAt = execution.startedAt ?? now;
        await ctx.store.completeExecution(execution.id, {
          exitCode: null,
          stdout: execution.stdout,
          stderr: execution.stderr,
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
  }
  return { requeued, failed };
}
