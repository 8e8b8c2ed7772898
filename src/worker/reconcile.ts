import type { VmDriver } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import { isVmLive } from '../core/vm.js';
import { WORKER_LOST_REASON } from '../core/worker.js';
import { abandonTask } from '../service/abandon.js';
import { enqueueRecorded, queueOf } from '../service/dispatch.js';
import { publishVm } from '../service/publish.js';
import type { HandlerContext } from './context.js';

/**
 * On start, make what the drivers have agree with what the store wants:
 * - a sandbox the store does not want (unknown, deleted, failed) is destroyed;
 * - a VM declared lost only because this worker went silent (`worker_lost`), whose sandbox is
 *   still running here, is running again: nothing else ever ran it, its files are intact;
 * - a VM the store says is running but the driver no longer has is marked `lost`.
 */
export async function reconcileVms(
  ctx: HandlerContext,
): Promise<{ destroyed: number; lost: number; revived: number }> {
  let destroyed = 0;
  let lost = 0;
  let revived = 0;
  const mine = await ctx.store.listVms({ workerId: ctx.settings.workerId });
  const wanted = new Map(mine.filter((vm) => isVmLive(vm.status)).map((vm) => [vm.id, vm]));
  const revivable = new Map(
    mine
      .filter((vm) => vm.status === 'lost' && vm.statusReason === WORKER_LOST_REASON)
      .map((vm) => [vm.id, vm]),
  );
  for (const [name, driver] of ctx.drivers) {
    const present = await driver.list();
    const presentIds = new Set(present.filter((info) => info.state !== 'missing').map((info) => info.id));
    for (const info of present) {
      if (info.state === 'missing') continue;
      const vm = wanted.get(info.id);
      if (vm && vm.driver === name) continue;
      const back = revivable.get(info.id);
      if (back && back.driver === name && info.state === 'running' && (await revive(ctx, back.id))) {
        revived++;
        continue;
      }
      await destroyQuietly(driver, info.id, ctx.logger);
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
        await publishVm(ctx.events, marked, reason);
      }
    }
  }
  return { destroyed, lost, revived };
}

/**
 * After `reconcileVms`: the network leases this worker holds for VMs it no longer runs are
 * freed (their TAPs removed), and TAPs on this host that no lease holds are removed.
 */
export async function reconcileNetwork(
  ctx: HandlerContext,
): Promise<{ released: number; removedTaps: number } | null> {
  if (!ctx.network) return null;
  const mine = await ctx.store.listVms({ workerId: ctx.settings.workerId });
  const wanted = new Set(mine.filter((vm) => isVmLive(vm.status) && vm.network).map((vm) => vm.id));
  return ctx.network.reconcile(wanted);
}

async function revive(ctx: HandlerContext, vmId: string): Promise<boolean> {
  const reason = `worker ${ctx.settings.workerId} came back with the sandbox intact`;
  const running = await ctx.store.transitionVm(vmId, { from: ['lost'], to: 'running', reason });
  if (running) await publishVm(ctx.events, running, reason);
  return running !== null;
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
    const vm = task.vmId ? await deps.store.getVm(task.vmId) : null;
    const queueName = queueOf(task, vm);
    if (await deps.queue.has(task.id, queueName)) continue;
    await enqueueRecorded(deps, task, queueName);
    requeued++;
  }
  if (requeued > 0) deps.logger.warn({ requeued }, 're-enqueued pending tasks the queue had lost');
  return requeued;
}

/**
 * Tasks the store says this worker runs that no task of this process runs: left by an earlier
 * run of it (crash, kill -9, power loss) or by a fence. A create or delete, or a command marked
 * retry-safe, is queued again; any other command's outcome is unknown (it may have run, wholly
 * or in part), so it fails with ERR_TASK_INTERRUPTED rather than run twice.
 */
export async function recoverInterruptedTasks(
  ctx: HandlerContext,
  isRunningHere: (taskId: string) => boolean,
): Promise<{ requeued: number; failed: number }> {
  const mine = await ctx.store.listTasks({ status: ['processing'], workerId: ctx.settings.workerId });
  let requeued = 0;
  let failed = 0;
  for (const task of mine) {
    if (isRunningHere(task.id)) continue;
    const error = new AetherError(
      'ERR_TASK_INTERRUPTED',
      `worker ${ctx.settings.workerId} stopped while ${task.type} ran; its outcome is unknown, so it was not run again`,
    );
    const outcome = await abandonTask(ctx, task, error, { rerun: true, fencingToken: task.fencingToken });
    if (outcome === 'requeued') requeued++;
    else if (outcome === 'failed') failed++;
  }
  return { requeued, failed };
}

/** Destroys every sandbox this worker's drivers hold (a fenced worker's last act). */
export async function destroyAllSandboxes(ctx: HandlerContext): Promise<number> {
  let destroyed = 0;
  for (const driver of ctx.drivers.values()) {
    const present = await driver.list().catch(() => []);
    for (const info of present) {
      if (info.state === 'missing') continue;
      await destroyQuietly(driver, info.id, ctx.logger);
      destroyed++;
    }
  }
  return destroyed;
}
