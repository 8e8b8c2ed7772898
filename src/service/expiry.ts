import type { NewTask } from '../core/store.js';
import type { VmRecord } from '../core/vm.js';
import { expiryReason, type VmExpiryKind } from '../core/vm-lifetime.js';
import { recordAndEnqueue } from './dispatch.js';
import { type Periodic, runPeriodically } from './periodic.js';
import { publishVm } from './publish.js';
import type { ServiceDeps, ServiceSettings } from './service-context.js';
import { newVmTask } from './vm-task.js';

/** A claim older than this with no task to carry it out lost its task (its node died in between). */
const ORPHANED_CLAIM_MS = 30_000;

export interface ExpiryOutcome {
  /** VMs this pass claimed and queued a stop, delete or pause for. */
  ended: number;
  /** Earlier claims whose task was never recorded, queued again. */
  redispatched: number;
}

/**
 * One pass of the expiry loop: every VM past its lifetime or idle timeout is claimed once, by a
 * guarded store transition to `stopping` (so any number of nodes may run this at once, and an
 * extend or a command that came first wins), then its stop or delete is queued to the worker
 * that holds it, with a reason that starts with `ttl` or `idle`.
 */
export async function expireVms(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'>,
): Promise<ExpiryOutcome> {
  const outcome: ExpiryOutcome = { ended: 0, redispatched: 0 };
  for (const { vm, kind } of await deps.store.listExpiredVms()) {
    const reason = expiryReason(kind, vm.lifetime);
    const claimed = await deps.store.claimVmExpiry(vm.id, kind, reason);
    if (!claimed) continue;
    // A pause keeps the VM running until its worker has paused it, and publishes then.
    if (claimed.lifetime.onExpiry !== 'pause') await publishVm(deps.events, claimed, reason);
    // Routed by the status it had: a stopped VM's delete still goes to the worker holding its files.
    await recordAndEnqueue(deps, endTask(claimed, reason, settings), { vm });
    outcome.ended++;
  }
  outcome.redispatched = await redispatchOrphanedClaims(deps, settings);
  return outcome;
}

function endTask(vm: VmRecord, reason: string, settings: Pick<ServiceSettings, 'timeouts'>): NewTask {
  switch (vm.lifetime.onExpiry) {
    case 'delete':
      return newVmTask('vm:delete', { vmId: vm.id, reason }, vm, {}, settings.timeouts);
    case 'pause':
      return newVmTask('vm:pause', { vmId: vm.id, reason, hibernate: true }, vm, {}, settings.timeouts);
    case 'stop':
      return newVmTask('vm:stop', { vmId: vm.id, reason }, vm, {}, settings.timeouts);
  }
}

/**
 * A node that died between a claim and the insert of its task left a VM `stopping` that no task
 * will end: queue its stop or delete again (both are idempotent, so a duplicate is harmless).
 */
async function redispatchOrphanedClaims(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'>,
): Promise<number> {
  const cutoff = Date.now() - ORPHANED_CLAIM_MS;
  const stale = (await deps.store.listVms({ status: ['stopping'] })).filter(
    (vm) => expiryKindOf(vm.statusReason) !== null && vm.updatedAt.getTime() < cutoff,
  );
  let redispatched = 0;
  for (const vm of stale) {
    // The newest task of the VM: one recorded since the claim carries it out (or has failed and
    // said so on the VM); both times are the database's.
    const [newest] = await deps.store.listTasks({ vmId: vm.id, limit: 1 });
    if (newest && newest.createdAt.getTime() >= vm.updatedAt.getTime()) continue;
    await recordAndEnqueue(deps, endTask(vm, vm.statusReason!, settings), { vm });
    redispatched++;
  }
  return redispatched;
}

/** `ttl` or `idle` when a status reason says a deadline ended the VM. */
export function expiryKindOf(reason: string | null): VmExpiryKind | null {
  if (reason?.startsWith('ttl:')) return 'ttl';
  if (reason?.startsWith('idle:')) return 'idle';
  return null;
}

/** Runs `expireVms` every `intervalMs` until stopped; failures are logged and retried. */
export function startExpiryLoop(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'> & { intervalMs: number },
): Periodic {
  const pass = async () => {
    try {
      const outcome = await expireVms(deps, settings);
      if (outcome.ended + outcome.redispatched > 0)
        deps.logger.info(outcome, 'ended VMs past their lifetime');
    } catch (error) {
      deps.logger.warn({ err: error }, 'expiry check failed; will try again');
    }
  };
  return runPeriodically(settings.intervalMs, pass);
}
