import type { VmDriver } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import { type DriverName, isVmLive } from '../core/vm.js';
import { WORKER_LOST_REASON } from '../core/worker.js';
import { abandonTask } from '../service/abandon.js';
import { enqueueRecorded, queueOf } from '../service/dispatch.js';
import { publishVm } from '../service/publish.js';
import type { HandlerContext } from './context.js';
import { checkVmHealth, type HealthVerdict } from './health-check.js';

/**
 * On start, make what the drivers have agree with what the store wants:
 * - a sandbox the store does not want (unknown, deleted, failed) is destroyed;
 * - a VM declared lost only because this worker went silent (`worker_lost`), whose sandbox is
 *   still running here, is running again: nothing else ever ran it, its files are intact;
 * - a VM the store says is running but the driver no longer has is marked `lost`;
 * - a VM the store says is running whose sandbox is still here but dead (stopped, or its agent
 *   silent) is marked `failed` with the reason, as the health monitor would (health-check.ts).
 */
export async function reconcileVms(
  ctx: HandlerContext,
): Promise<{ destroyed: number; lost: number; revived: number; failed: number }> {
  let destroyed = 0;
  let lost = 0;
  let revived = 0;
  const checks: Promise<HealthVerdict>[] = [];
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
      if (vm.driver !== name || vm.status === 'creating') continue;
      if (presentIds.has(vm.id)) {
        if (vm.status === 'running' && driver.probe) checks.push(checkVmHealth(ctx, vm, driver));
        continue;
      }
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
  const failed = (await Promise.all(checks)).filter((verdict) => verdict === 'failed').length;
  return { destroyed, lost, revived, failed };
}

/**
 * Every reconcile interval, while the worker runs: a sandbox here whose VM the store does not
 * want on this worker (deleted, failed, never known, or created again on another worker after
 * this one crashed mid-create) is destroyed. Unlike `reconcileVms` it never marks a VM lost
 * (that is for start-up and the reaper: here a delete may be between its steps) and leaves a
 * VM declared lost while this worker was silent to the rejoin, which may revive it.
 *
 * The drivers are listed before the store is read: a handler records its VM as `creating` on
 * this worker before the driver makes its sandbox, so every sandbox listed is already wanted in
 * the store read after, and a create in progress is never taken for an orphan.
 */
export async function sweepOrphanSandboxes(ctx: HandlerContext): Promise<number> {
  const present = new Map<string, string[]>();
  for (const [name, driver] of ctx.drivers) {
    const ids = (await driver.list()).filter((info) => info.state !== 'missing').map((info) => info.id);
    present.set(name, ids);
  }
  if ([...present.values()].every((ids) => ids.length === 0)) return 0;
  const mine = await ctx.store.listVms({ workerId: ctx.settings.workerId });
  const keep = new Map(
    mine
      .filter((vm) => isVmLive(vm.status) || (vm.status === 'lost' && vm.statusReason === WORKER_LOST_REASON))
      .map((vm) => [vm.id, vm.driver]),
  );
  let destroyed = 0;
  for (const [name, ids] of present) {
    const driver = ctx.drivers.get(name as DriverName)!;
    for (const id of ids) {
      if (keep.get(id) === name) continue;
      await destroyQuietly(driver, id, ctx.logger);
      destroyed++;
    }
  }
  return destroyed;
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

/**
 * Tasks the store says are pending that no consumer will deliver: enqueued again if the queue
 * lost them (a flush, a restart without persistence), and put back to waiting if the queue still
 * holds them as taken by a consumer that died before claiming them (its lock lapsed).
 */
export async function requeueLostTasks(
  deps: { store: Store; queue: TaskQueue; logger: Logger },
  olderThanMs: number,
): Promise<number> {
  const pending = await deps.store.listTasks({ status: ['pending'], limit: 500 });
  const cutoff = Date.now() - olderThanMs;
  let requeued = 0;
  let reclaimed = 0;
  for (const task of pending) {
    if (task.updatedAt.getTime() > cutoff) continue;
    const vm = task.vmId ? await deps.store.getVm(task.vmId) : null;
    const queueName = queueOf(task, vm);
    if (await deps.queue.has(task.id, queueName)) {
      if (await deps.queue.reclaim(task.id, queueName)) reclaimed++;
      continue;
    }
    await enqueueRecorded(deps, task, queueName);
    requeued++;
  }
  if (requeued + reclaimed > 0) {
    deps.logger.warn(
      { requeued, reclaimed },
      'queued again pending tasks the queue had lost or a dead consumer held',
    );
  }
  return requeued + reclaimed;
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
    // The attempt was this worker's own earlier process: whatever it held in the queue, it holds
    // no longer, so a create or delete goes back to waiting now, not when its lock lapses.
    const outcome = await abandonTask(ctx, task, error, {
      rerun: true,
      fencingToken: task.fencingToken,
      holderGone: true,
    });
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
