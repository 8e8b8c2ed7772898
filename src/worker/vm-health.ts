/**
 * The health check's decision, apart from its timers and I/O: one look at a VM is never a
 * verdict. A VM is dead only after `failuresToFail` failed looks in a row (a loaded host may
 * miss one ping; a sandbox glimpsed between two states is looked at again), and a look that
 * could not tell (the driver's backend unreachable) neither counts nor clears.
 */
import type { VmDeathReason, VmProbeResult } from '../core/vm-health.js';

/** One look: what the driver's probe said, or that it could not say. */
export type ProbeOutcome = VmProbeResult | { alive: 'unknown'; error: string };

export interface HealthPolicy {
  /** Failed looks in a row that make a VM dead; at least 1. */
  failuresToFail: number;
}

export type HealthStep =
  | { verdict: 'alive' }
  /** No verdict this time; the next round looks again from scratch. */
  | { verdict: 'unknown'; error: string }
  /** Failed looks so far, fewer than the policy's: look again soon. */
  | { verdict: 'suspect'; failures: number }
  /** The reason of the last failed look (the latest is the best informed). */
  | { verdict: 'dead'; reason: VmDeathReason; detail: string };

export const DEFAULT_HEALTH_POLICY: HealthPolicy = { failuresToFail: 2 };

export function nextHealthStep(
  failuresSoFar: number,
  outcome: ProbeOutcome,
  policy: HealthPolicy = DEFAULT_HEALTH_POLICY,
): HealthStep {
  if (outcome.alive === true) return { verdict: 'alive' };
  if (outcome.alive === 'unknown') return { verdict: 'unknown', error: outcome.error };
  const failures = failuresSoFar + 1;
  if (failures < Math.max(1, policy.failuresToFail)) return { verdict: 'suspect', failures };
  return { verdict: 'dead', reason: outcome.reason, detail: outcome.detail };
}
