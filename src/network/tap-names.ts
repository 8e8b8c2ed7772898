/**
 * Names and MACs of guest TAP devices. A VM's own TAP is `aeth` + 11 hex digits of its id (15
 * bytes, the most an interface name holds); pool TAPs are `aethpool<N>`. The two never collide
 * (a pool name has letters past f), and nothing else on a host is expected to start with `aeth`.
 */
import { createHash } from 'node:crypto';
import { isUuid } from '../core/ids.js';

export const TAP_PREFIX = 'aeth';
export const POOL_TAP_PREFIX = 'aethpool';
/** Pool TAPs are numbered 0..MAX_POOL_SIZE-1 (`aethpool` + 7 digits fits in 15 bytes). */
export const MAX_POOL_SIZE = 10_000;

const VM_TAP = /^aeth[0-9a-f]{11}$/;
const POOL_TAP = /^aethpool(0|[1-9]\d{0,6})$/;

function digest(vmId: string): string {
  return createHash('sha256').update(`aetherium:${vmId}`).digest('hex');
}

/** `aeth` + the first 11 hex digits of a uuid id (readable next to `vm ls`), else of its hash. */
export function tapNameForVm(vmId: string): string {
  const hex = isUuid(vmId) ? vmId.replaceAll('-', '').toLowerCase() : digest(vmId);
  return `${TAP_PREFIX}${hex.slice(0, 11)}`;
}

export function poolTapName(index: number): string {
  return `${POOL_TAP_PREFIX}${index}`;
}

export function isVmTapName(name: string): boolean {
  return VM_TAP.test(name);
}

export function isPoolTapName(name: string): boolean {
  return POOL_TAP.test(name);
}

export function poolTapIndex(name: string): number {
  return Number(name.slice(POOL_TAP_PREFIX.length));
}

/**
 * A stable MAC for the VM: locally administered, unicast (first octet 0x02), the other five
 * octets from a hash of its id. The same VM gets the same MAC on every attach and host, so a
 * restarted guest keeps its identity; 40 random bits make a clash on one bridge negligible.
 */
export function macForVm(vmId: string): string {
  const hex = digest(vmId);
  const octets = ['02', ...[0, 2, 4, 6, 8].map((i) => hex.slice(i, i + 2))];
  return octets.join(':');
}
