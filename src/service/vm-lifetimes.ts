import { AetherError } from '../core/errors.js';
import type { Store } from '../core/store.js';
import type { VmRecord, VmStatus } from '../core/vm.js';
import {
  MAX_VM_LIFETIME_SECONDS,
  VM_EXPIRY_ACTIONS,
  type VmExpiryAction,
  type VmLifetimeRequest,
} from '../core/vm-lifetime.js';

/** What a create says about its VM's lifetime; absent fields take the node's defaults. */
export interface LifetimeInput {
  /** Seconds from the create; 0 = no limit (also over a default). */
  ttlSeconds?: number;
  /** Seconds without a command running; 0 = none (also over a default). */
  idleTimeoutSeconds?: number;
  onExpiry?: VmExpiryAction;
}

/** Lifetimes a node gives VMs whose create asks for none; 0 = none. */
export interface LifetimeDefaults {
  ttlSeconds: number;
  idleTimeoutSeconds: number;
  onExpiry: VmExpiryAction;
}

export const NO_LIFETIME_DEFAULTS: LifetimeDefaults = {
  ttlSeconds: 0,
  idleTimeoutSeconds: 0,
  onExpiry: 'stop',
};

/** Statuses in which a VM still has a lifetime to extend (not ending, not ended). */
const EXTENDABLE: readonly VmStatus[] = ['pending', 'creating', 'running', 'stopped'];

/** ERR_VALIDATION naming `field` unless `seconds` is a whole number in [min, MAX_VM_LIFETIME_SECONDS]. */
export function checkLifetimeSeconds(field: string, seconds: number | undefined, min: number): void {
  if (seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < min || seconds > MAX_VM_LIFETIME_SECONDS) {
    throw new AetherError(
      'ERR_VALIDATION',
      `${field}: use a whole number of seconds from ${min} to ${MAX_VM_LIFETIME_SECONDS} (a year)${min === 0 ? '; 0 means none' : ''}, not ${String(seconds)}`,
      { details: { field } },
    );
  }
}

/** The lifetime a new VM gets: what its create asks for, else the node's defaults. */
export function lifetimeOf(input: LifetimeInput, defaults: LifetimeDefaults): VmLifetimeRequest {
  // Every entry point, not only the REST body's schema: integrations create VMs too.
  checkLifetimeSeconds('ttl_seconds', input.ttlSeconds, 0);
  checkLifetimeSeconds('idle_timeout_seconds', input.idleTimeoutSeconds, 0);
  if (input.onExpiry !== undefined && !VM_EXPIRY_ACTIONS.includes(input.onExpiry)) {
    throw new AetherError(
      'ERR_VALIDATION',
      `on_expiry: use ${VM_EXPIRY_ACTIONS.join(' or ')}, not ${JSON.stringify(input.onExpiry)}`,
      { details: { field: 'on_expiry' } },
    );
  }
  const ttl = input.ttlSeconds ?? defaults.ttlSeconds;
  const idle = input.idleTimeoutSeconds ?? defaults.idleTimeoutSeconds;
  return {
    ttlSeconds: ttl > 0 ? ttl : null,
    idleTimeoutSeconds: idle > 0 ? idle : null,
    onExpiry: input.onExpiry ?? defaults.onExpiry,
  };
}

/**
 * Moves `vm`'s lifetime deadline `seconds` later (from now, when it has passed but the VM has not
 * ended yet). A VM without a lifetime, or one that has ended or is ending, is the caller's
 * mistake: ERR_VALIDATION saying why.
 */
export async function extendLifetime(
  store: Pick<Store, 'extendVmLifetime' | 'getVm'>,
  vm: VmRecord,
  seconds: number,
): Promise<VmRecord> {
  checkLifetimeSeconds('ttl_seconds', seconds, 1);
  const refuse = (why: string) =>
    new AetherError('ERR_VALIDATION', `ttl_seconds: VM ${vm.name} ${why}`, {
      details: { field: 'ttl_seconds', vmId: vm.id, status: vm.status },
    });
  if (!EXTENDABLE.includes(vm.status)) {
    throw refuse(`is ${vm.status}: only a VM that has not ended can have its lifetime extended`);
  }
  if (vm.lifetime.expiresAt === null) {
    throw refuse('has no lifetime to extend (it was created without a ttl, so it never expires)');
  }
  const extended = await store.extendVmLifetime(vm.id, seconds, EXTENDABLE);
  if (extended) return extended;
  // Changed between the read and the write: say what it is now.
  const now = (await store.getVm(vm.id)) ?? vm;
  throw refuse(`is ${now.status}: only a VM that has not ended can have its lifetime extended`);
}
