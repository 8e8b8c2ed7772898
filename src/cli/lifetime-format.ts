/** Lifetimes on the command line: `--ttl 30m` in, `expires in 29m58s` out. */
import type { Vm } from '../client/types.js';
import { AetherError } from '../core/errors.js';
import { formatSeconds } from '../core/vm-lifetime.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `30m`, `2h`, `1d`, `1h30m` as seconds; `flag` names the option in the message. */
export function parseDurationSeconds(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d{1,9})([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new AetherError(
      'ERR_VALIDATION',
      `${flag}: use a duration such as 90s, 30m, 2h, 1d or 1h30m, not "${text}"`,
    );
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_SECONDS[unit!]!, 0);
}

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
