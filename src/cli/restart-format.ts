/** Restart policies on the command line: `--restart on-failure:5` in, `on-failure: 1 of 5 used` out. */
import type { CreateVmRequest, Vm } from '@aetherium/sdk';
import { AetherError } from '../core/errors.js';

/** `never`, `on-failure` or `on-failure:N` (Docker's spelling) as create-body fields. */
export function parseRestartPolicy(text: string): Pick<CreateVmRequest, 'restart_policy' | 'restart_max'> {
  const match = /^(never|on-failure)(?::(\d{1,9}))?$/.exec(text.trim());
  if (!match || (match[1] === 'never' && match[2] !== undefined)) {
    throw new AetherError(
      'ERR_VALIDATION',
      `--restart: use never, on-failure or on-failure:N (N restarts at most, 1 to 100), not "${text}"`,
    );
  }
  if (match[1] === 'never') return { restart_policy: 'never' };
  // The server checks the range and says what to use.
  return match[2] === undefined
    ? { restart_policy: 'on-failure' }
    : { restart_policy: 'on-failure', restart_max: Number(match[2]) };
}

/** The `restart` line of `vm get`: the policy and the restarts used. */
export function restartLine(vm: Vm): string {
  if (vm.restart_policy === 'never') return 'never';
  return `on-failure: ${vm.restarts} of ${vm.restart_max} restarts used`;
}
