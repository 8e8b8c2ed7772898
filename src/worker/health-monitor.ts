/**
 * The worker's watch over the VMs the store says run on it: every interval, each one whose
 * driver can `probe` is checked (health-check.ts), concurrently and each on its own, so one slow
 * VM delays no other's verdict. A VM still being checked is not started again.
 */
import type { HandlerContext } from './context.js';
import { checkVmHealth, DEFAULT_HEALTH_CHECK, type HealthCheckOptions } from './health-check.js';

export const DEFAULT_HEALTH_INTERVAL_MS = 2_000;

export interface HealthMonitorOptions {
  intervalMs: number;
  /** False while the worker must not act on its VMs (fenced). */
  active(): boolean;
  check?: Partial<Omit<HealthCheckOptions, 'signal'>>;
}

export interface HealthMonitor {
  /** One round now (tests; the timer runs them on its own). Resolves when its checks are done. */
  round(): Promise<void>;
  /** Stops the timer; checks under way record no verdict. */
  stop(): void;
}

export function startHealthMonitor(ctx: HandlerContext, options: HealthMonitorOptions): HealthMonitor {
  const stopped = new AbortController();
  const check: HealthCheckOptions = { ...DEFAULT_HEALTH_CHECK, ...options.check, signal: stopped.signal };
  const checking = new Map<string, Promise<unknown>>();
  let listing = false;

  const round = async (): Promise<void> => {
    if (listing || stopped.signal.aborted || !options.active()) return;
    listing = true;
    let started: Promise<unknown>[] = [];
    try {
      const vms = await ctx.store.listVms({ workerId: ctx.settings.workerId, status: ['running'] });
      started = vms.flatMap((vm) => {
        const driver = ctx.drivers.get(vm.driver);
        if (!driver?.probe || checking.has(vm.id)) return [];
        const checked = checkVmHealth(ctx, vm, driver, check)
          .catch((error: unknown) => ctx.logger.warn({ err: error, vmId: vm.id }, 'health check failed'))
          .finally(() => checking.delete(vm.id));
        checking.set(vm.id, checked);
        return [checked];
      });
    } catch (error) {
      ctx.logger.warn({ err: error }, 'health round could not list VMs; will try again');
    } finally {
      listing = false;
    }
    await Promise.all(started);
  };

  const timer = setInterval(() => void round(), options.intervalMs);
  timer.unref();
  return {
    round,
    stop() {
      clearInterval(timer);
      stopped.abort();
    },
  };
}
