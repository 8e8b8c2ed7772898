import { AetherError } from '../core/errors.js';
import { isVmLive, type VmRecord } from '../core/vm.js';
import { WORKER_LOST_REASON, type WorkerRecord } from '../core/worker.js';
import { type AbandonDeps, abandonTask } from './abandon.js';
import { type Periodic, runPeriodically } from './periodic.js';
import { publishVm } from './publish.js';

export interface ReapOutcome {
  workers: string[];
  vmsLost: number;
  tasksFailed: number;
}

/**
 * Declares dead every worker silent past `graceMs` and settles what it held: its VMs become
 * `lost` (reason `worker_lost`), and every unfinished task bound to it or to those VMs fails
 * with ERR_WORKER_LOST. Safe to run from every node at once: each step is a compare-and-set,
 * so only one reaper acts on a given worker, VM or task.
 */
export async function reapDeadWorkers(deps: AbandonDeps, graceMs: number): Promise<ReapOutcome> {
  const dead = await deps.store.reapSilentWorkers(graceMs);
  const outcome: ReapOutcome = { workers: [], vmsLost: 0, tasksFailed: 0 };
  for (const worker of dead) {
    const settled = await settleDeadWorker(deps, worker);
    outcome.workers.push(worker.id);
    outcome.vmsLost += settled.vmsLost;
    outcome.tasksFailed += settled.tasksFailed;
  }
  return outcome;
}

/** Also what a reaper retries when an earlier pass died half-way (idempotent). */
export async function settleDeadWorker(
  deps: AbandonDeps,
  worker: WorkerRecord,
): Promise<{ vmsLost: number; tasksFailed: number }> {
  await deps.events.publish('worker.left', {
    workerId: worker.id,
    epoch: worker.epoch,
    status: 'dead',
    reason: worker.statusReason ?? 'no heartbeat',
  });
  const error = new AetherError(
    'ERR_WORKER_LOST',
    `worker ${worker.id} stopped answering (${worker.statusReason ?? 'no heartbeat'}); what it ran has an unknown outcome`,
  );
  let vmsLost = 0;
  let tasksFailed = 0;
  const vms = (await deps.store.listVms({ workerId: worker.id })).filter((vm) => isVmLive(vm.status));
  for (const vm of vms) {
    if (await createAgain(deps, vm, error)) continue;
    const lost = await deps.store.transitionVm(vm.id, {
      from: ['pending', 'creating', 'running', 'paused', 'stopping', 'stopped'],
      to: 'lost',
      reason: WORKER_LOST_REASON,
    });
    if (lost) {
      vmsLost++;
      await publishVm(deps.events, lost, WORKER_LOST_REASON);
    }
    for (const task of await deps.store.listTasks({ vmId: vm.id, status: ['pending', 'processing'] })) {
      if ((await abandonTask(deps, task, error, { rerun: false })) === 'failed') tasksFailed++;
    }
  }
  // Tasks it had claimed that are not bound to one of its VMs (a create it had just taken).
  // Its VM was not yet assigned to it, so nothing of the VM lives there: run the create elsewhere.
  for (const task of await deps.store.listTasks({ workerId: worker.id, status: ['processing'] })) {
    const rerun = task.type === 'vm:create';
    if ((await abandonTask(deps, task, error, { rerun })) === 'failed') tasksFailed++;
  }
  return { vmsLost, tasksFailed };
}

/**
 * A VM the dead worker was still creating has nothing there worth waiting for: it goes back to
 * `pending`, unplaced, and its create runs again on whichever worker takes it (the dead worker,
 * back, destroys a half-made sandbox as one the store no longer places there). False when the
 * VM had got further meanwhile.
 */
async function createAgain(deps: AbandonDeps, vm: VmRecord, error: AetherError): Promise<boolean> {
  if (vm.status !== 'pending' && vm.status !== 'creating') return false;
  const reason = `${WORKER_LOST_REASON}; created again`;
  const back = await deps.store.transitionVm(
    vm.id,
    { from: ['pending', 'creating'], to: 'pending', reason },
    { workerId: null },
  );
  if (!back) return false;
  await publishVm(deps.events, back, reason);
  for (const task of await deps.store.listTasks({ vmId: vm.id, status: ['processing'] })) {
    await abandonTask(deps, task, error, { rerun: task.type === 'vm:create' });
  }
  return true;
}

/** Runs `reapDeadWorkers` every `intervalMs` until stopped; failures are logged and retried. */
export function startReaper(deps: AbandonDeps, settings: { graceMs: number; intervalMs: number }): Periodic {
  const pass = async () => {
    try {
      const outcome = await reapDeadWorkers(deps, settings.graceMs);
      if (outcome.workers.length > 0) deps.logger.warn(outcome, 'declared silent workers dead');
    } catch (error) {
      deps.logger.warn({ err: error }, 'dead-worker check failed; will try again');
    }
  };
  return runPeriodically(settings.intervalMs, pass);
}
