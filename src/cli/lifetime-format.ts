/** Lifetimes on the command line: `--ttl 30m` in, `expires in 29m58s` out. */
import type { Vm } from '@aetherium/sdk';
import { formatSeconds } from '../core/vm-lifetime.js';

/** `90`, `90s`, `30m`, `2h`, `1d`, `1h30m` as seconds; the second argument names the option in the message. */
export { parseDurationSeconds } from '../core/duration.js';

/** `in 4m12s`, or `due` once passed (the VM ends at the next check). */
export function remaining(iso: string | null, now = Date.now()): string | null {
  if (!iso) return null;
  const seconds = (Date.parse(iso) - now) / 1000;
  return seconds > 0 ? `in ${formatSeconds(Math.ceil(seconds))}` : 'due';
}

/** The `expires` line of `vm get`: each deadline with what remains, and what ends the VM. */
export function expiryLine(vm: Vm): string | null {
  const parts: string[] = [];
  if (vm.expires_at) parts.push(`lifetime ${remaining(vm.expires_at)} (${vm.expires_at})`);
  if (vm.idle_timeout_seconds !== null) {
    const idle = formatSeconds(vm.idle_timeout_seconds);
    parts.push(
      vm.idle_expires_at ? `idle ${remaining(vm.idle_expires_at)} (timeout ${idle})` : `idle timeout ${idle}`,
    );
  }
  return parts.length === 0 ? null : `${parts.join('; ')}; then ${vm.on_expiry}`;
}

/** The EXPIRES column of `vm ls`: the nearer deadline's remaining time. */
export function expiresColumn(vm: Vm): string | null {
  const deadlines = [vm.expires_at, vm.idle_expires_at].filter((d): d is string => d !== null);
  if (deadlines.length === 0) return null;
  const nearest = deadlines.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  return remaining(nearest);
}
