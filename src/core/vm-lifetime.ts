/**
 * How long a VM may live: a time to live counted from its create (`ttl`), an idle timeout
 * counted from its last activity (`idle`), and what happens when either runs out. The deadlines
 * are kept in the store, so they hold across restarts of every node.
 */

/**
 * What an expired VM becomes: stopped (files kept, `start` boots it again), deleted, or paused
 * (hibernated where its driver can save memory, so it holds no RAM; `resume` wakes it with a
 * fresh lifetime of the same length).
 */
export const VM_EXPIRY_ACTIONS = ['stop', 'delete', 'pause'] as const;
export type VmExpiryAction = (typeof VM_EXPIRY_ACTIONS)[number];

/** Which deadline ended a VM; the first word of its status reason. */
export type VmExpiryKind = 'ttl' | 'idle';

/**
 * How long a pause the expiry loop queued holds off further claims of the same VM: long enough
 * for a hibernation under emulation; a pause lost with its node is claimed again after it.
 */
export const EXPIRY_PAUSE_CLAIM_SECONDS = 300;

/** The longest lifetime or idle timeout a VM may ask for (a year), in seconds. */
export const MAX_VM_LIFETIME_SECONDS = 365 * 24 * 60 * 60;

/**
 * Work on a VM older than this does not hold off its idle timeout: a command runs at most 24 h,
 * so an execution still open past that was left by a crash, not running.
 */
export const ACTIVITY_HORIZON_SECONDS = 25 * 60 * 60;

export interface VmLifetime {
  /** The lifetime asked for at create; null = none. */
  ttlSeconds: number | null;
  /** When the lifetime runs out (created + ttl, moved by extends); null = never. */
  expiresAt: Date | null;
  /** Idle time after which the VM ends; null = none. */
  idleTimeoutSeconds: number | null;
  /** The end of the last command (or the last start): where the idle clock counts from. */
  lastActiveAt: Date | null;
  onExpiry: VmExpiryAction;
}

/** What a create asks for; nulls mean none. */
export interface VmLifetimeRequest {
  ttlSeconds: number | null;
  idleTimeoutSeconds: number | null;
  onExpiry: VmExpiryAction;
}

/** The first word of a status reason a person or a stop/delete caused (`user: stop requested`). */
export const USER_REASON_PREFIX = 'user';

/** `90` → `1m30s`; `3600` → `1h`. */
export function formatSeconds(total: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(total));
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join('');
}

/** The status reason of a VM a deadline ended: `ttl: lifetime of 10s reached`. */
export function expiryReason(
  kind: VmExpiryKind,
  vm: Pick<VmLifetime, 'ttlSeconds' | 'idleTimeoutSeconds'>,
): string {
  return kind === 'ttl'
    ? `ttl: lifetime of ${formatSeconds(vm.ttlSeconds ?? 0)} reached`
    : `idle: no activity for ${formatSeconds(vm.idleTimeoutSeconds ?? 0)}`;
}

/**
 * When a running VM ends if no command runs until then: its last activity (or its start) plus
 * the idle timeout. Null without an idle timeout, or when the VM is not running (no clock runs).
 */
export function idleExpiresAt(vm: {
  status: string;
  startedAt: Date | null;
  createdAt: Date;
  lifetime: VmLifetime;
}): Date | null {
  const { idleTimeoutSeconds, lastActiveAt } = vm.lifetime;
  if (idleTimeoutSeconds === null || vm.status !== 'running') return null;
  const since = lastActiveAt ?? vm.startedAt ?? vm.createdAt;
  return new Date(since.getTime() + idleTimeoutSeconds * 1000);
}
