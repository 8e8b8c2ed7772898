import { AetherError } from '../../core/errors.js';

/** Ids become directory and container names: no separators, no dots, bounded length. */
const VM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isVmId(name: string): boolean {
  return VM_ID_PATTERN.test(name);
}

export function assertVmId(id: string): void {
  if (!isVmId(id)) throw new AetherError('ERR_VALIDATION', `invalid VM id "${String(id).slice(0, 80)}"`);
}
