import { AetherError } from '../core/errors.js';
import {
  NO_RESTART,
  VM_RESTART_LIMITS,
  VM_RESTART_POLICIES,
  type VmRestartPolicy,
  type VmRestartRequest,
} from '../core/vm-restart.js';

/** What a create says about restarts after a death (core/vm-restart.ts); absent: never. */
export interface RestartInput {
  restartPolicy?: VmRestartPolicy;
  /** Restarts `on-failure` allows; only with it. Default VM_RESTART_LIMITS.maxDefault. */
  restartMax?: number;
}

function refuse(field: string, message: string): AetherError {
  return new AetherError('ERR_VALIDATION', `${field}: ${message}`, { details: { field } });
}

/** The restart policy a new VM gets; ERR_VALIDATION saying what to fix when it cannot have it. */
export function restartOf(input: RestartInput): VmRestartRequest {
  // Every entry point, not only the REST body's schema: integrations create VMs too.
  const { restartPolicy: policy, restartMax: max } = input;
  if (policy !== undefined && !VM_RESTART_POLICIES.includes(policy)) {
    throw refuse('restart_policy', `use ${VM_RESTART_POLICIES.join(' or ')}, not ${JSON.stringify(policy)}`);
  }
  if (policy !== 'on-failure') {
    if (max !== undefined) {
      throw refuse(
        'restart_max',
        'only with restart_policy "on-failure"; set that too, or leave restart_max out',
      );
    }
    return NO_RESTART;
  }
  const { maxMin, maxMax, maxDefault } = VM_RESTART_LIMITS;
  if (max !== undefined && (!Number.isInteger(max) || max < maxMin || max > maxMax)) {
    throw refuse(
      'restart_max',
      `use a whole number of restarts from ${maxMin} to ${maxMax}, not ${String(max)}`,
    );
  }
  return { policy, max: max ?? maxDefault };
}
