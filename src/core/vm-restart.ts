/**
 * What happens to a VM its worker's health check finds dead (core/vm-health.ts): by default it
 * becomes `failed`; with `on-failure` it is restarted in place (its files kept, as by a stop and a
 * start) up to `max` times, like Docker's `--restart on-failure:N`.
 *
 * The count of restarts never goes back to 0 by itself, and a user's stop and start leave it as
 * it is: a VM that keeps dying uses up its restarts however it was started in between, so a
 * crash loop ends as `failed` instead of burning a host forever.
 */

/** `never`: a dead VM fails. `on-failure`: a dead VM is restarted, `max` times at most. */
export const VM_RESTART_POLICIES = ['never', 'on-failure'] as const;
export type VmRestartPolicy = (typeof VM_RESTART_POLICIES)[number];

export const VM_RESTART_LIMITS = {
  /** Fewest restarts an `on-failure` policy may allow. */
  maxMin: 1,
  /** Most restarts an `on-failure` policy may allow. */
  maxMax: 100,
  /** Restarts an `on-failure` policy allows when the create names none. */
  maxDefault: 3,
} as const;

/** What a create asks for; `never` comes with `max` 0. */
export interface VmRestartRequest {
  policy: VmRestartPolicy;
  max: number;
}

export interface VmRestart extends VmRestartRequest {
  /** Restarts done so far; never reset (see above). */
  count: number;
}

export const NO_RESTART: VmRestartRequest = { policy: 'never', max: 0 };

/** What to do with a VM found dead: restart it (the `n`th time) or fail it, with its status reason. */
export type VmRestartDecision =
  | { action: 'restart'; attempt: number; max: number; reason: string }
  | { action: 'fail'; reason: string };

/** The status reason of a VM restarted after a death: `restarted: sandbox_exited: … (restart 1 of 3)`. */
export function restartedReason(deathReason: string, attempt: number, max: number): string {
  return `restarted: ${deathReason} (restart ${attempt} of ${max})`;
}

/**
 * A death found with `deathReason` (vmDeathReason's text) on a VM with `restart`: restarted while
 * it has restarts left, else failed with the reason (which says so when the limit is why).
 */
export function restartDecision(restart: VmRestart, deathReason: string): VmRestartDecision {
  if (restart.policy !== 'on-failure') return { action: 'fail', reason: deathReason };
  if (restart.count >= restart.max) {
    return { action: 'fail', reason: `${deathReason} (restart limit ${restart.max} reached)` };
  }
  const attempt = restart.count + 1;
  return {
    action: 'restart',
    attempt,
    max: restart.max,
    reason: restartedReason(deathReason, attempt, restart.max),
  };
}

/** The status reason of a VM whose restart could not boot it. */
export function restartFailedReason(message: string): string {
  return `restart failed: ${message}`;
}
