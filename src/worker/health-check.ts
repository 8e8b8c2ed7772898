/**
 * Checking one VM this worker runs: probe it until the decision (vm-health.ts) is made, and
 * when it is dead, record that: the VM becomes `failed` with the reason code first, the event
 * goes out, commands still running on it end with ERR_VM_FAILED, and what is left of its
 * sandbox is stopped (its files stay until the VM is deleted). A VM whose restart policy has a
 * restart left is restarted instead (restart-vm.ts).
 */
import type { VmDriver } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type { VmRecord } from '../core/vm.js';
import { type VmDeathReason, vmDeathReason } from '../core/vm-health.js';
import { restartDecision } from '../core/vm-restart.js';
import { publishVm } from '../service/publish.js';
import type { HandlerContext } from './context.js';
import { restartDeadVm } from './restart-vm.js';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy, nextHealthStep, type ProbeOutcome } from './vm-health.js';

export interface HealthCheckOptions extends HealthPolicy {
  /** Deadline of one ping; a few seconds, so a slow answer on a loaded host still counts. */
  pingTimeoutMs: number;
  /** Pause between a failed look and the next. */
  confirmDelayMs: number;
  /** Aborted when the worker stops or is fenced: no verdict is recorded after that. */
  signal?: AbortSignal;
}

export const DEFAULT_HEALTH_CHECK: HealthCheckOptions = {
  ...DEFAULT_HEALTH_POLICY,
  pingTimeoutMs: 2_500,
  confirmDelayMs: 250,
};

/** `restarted`: found dead, and restarted by its policy (it may still fail if the start did). */
export type HealthVerdict = 'alive' | 'failed' | 'restarted' | 'unknown';

/** Looks at `vm` (running here, on `driver`, which has `probe`) and fails it when it is dead. */
export async function checkVmHealth(
  ctx: HandlerContext,
  vm: VmRecord,
  driver: VmDriver,
  options: HealthCheckOptions = DEFAULT_HEALTH_CHECK,
): Promise<HealthVerdict> {
  let failures = 0;
  for (;;) {
    if (options.signal?.aborted) return 'unknown';
    const step = nextHealthStep(failures, await probeOnce(driver, vm.id, options.pingTimeoutMs), options);
    switch (step.verdict) {
      case 'alive':
        return 'alive';
      case 'unknown':
        ctx.logger.warn({ vmId: vm.id, err: step.error }, 'health check could not tell; trying next round');
        return 'unknown';
      case 'suspect':
        failures = step.failures;
        await new Promise((resolve) => setTimeout(resolve, options.confirmDelayMs));
        continue;
      case 'dead':
        if (options.signal?.aborted) return 'unknown';
        return markVmDead(ctx, vm, driver, step);
    }
  }
}

async function probeOnce(driver: VmDriver, id: string, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    return await driver.probe!(id, { timeoutMs });
  } catch (error) {
    return { alive: 'unknown', error: (error as Error).message ?? String(error) };
  }
}

/** Records the death; `unknown` when the VM is no longer ours to fail (deleted, stopped, saved). */
async function markVmDead(
  ctx: HandlerContext,
  vm: VmRecord,
  driver: VmDriver,
  found: { reason: VmDeathReason; detail: string },
): Promise<HealthVerdict> {
  // A snapshot pauses the VM for its whole save: its agent is silent, not dead.
  const working = await ctx.store.listTasks({ status: ['processing'], vmId: vm.id });
  if (working.some((task) => task.type === 'vm:snapshot')) return 'unknown';
  // Stopped and started again since it was listed: this look was at a sandbox that is no more.
  const now = await ctx.store.getVm(vm.id);
  if (now?.status !== 'running' || now.startedAt?.getTime() !== vm.startedAt?.getTime()) return 'unknown';
  const decision = restartDecision(now.restart, vmDeathReason(found));
  if (decision.action === 'restart') {
    return (await restartDeadVm(ctx, now, driver, found, decision.reason)) ? 'restarted' : 'unknown';
  }
  const { reason } = decision;
  // Only from `running`: a delete or stop under way owns the VM, and its own transition wins.
  const failed = await ctx.store.transitionVm(vm.id, { from: ['running'], to: 'failed', reason });
  if (!failed) return 'unknown';
  ctx.logger.warn({ vmId: vm.id, driver: vm.driver, reason }, 'VM found dead; marked failed');
  await publishVm(ctx.events, failed, reason);
  const ended = ctx.commands.abortVm(
    vm.id,
    new AetherError('ERR_VM_FAILED', `VM ${vm.name} failed while the command ran: ${reason}`, {
      details: { vmId: vm.id, reason: found.reason },
    }),
  );
  if (ended > 0) ctx.logger.info({ vmId: vm.id, commands: ended }, 'ended the commands of a dead VM');
  // A hung agent leaves its sandbox running: nothing may run on in a VM the store calls failed.
  await driver.stop(vm.id, { graceMs: 0 }).catch((error: unknown) => {
    ctx.logger.warn({ err: error, vmId: vm.id }, 'could not stop what is left of a dead VM');
  });
  return 'failed';
}
