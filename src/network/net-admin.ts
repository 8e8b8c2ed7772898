/**
 * Whether this process may change host links itself. How a worker gets its TAPs follows from it
 * (`network.taps: auto`): with CAP_NET_ADMIN it creates one per VM; without, it takes TAPs from
 * the pool `aether network setup --tap-pool N --tap-user UID` made for its uid.
 */
import { readFileSync } from 'node:fs';

const CAP_NET_ADMIN = 12n;

/** True when the effective capability set holds CAP_NET_ADMIN (root has it unless dropped). */
export function hasNetAdmin(statusText?: string): boolean {
  let text = statusText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return false;
    }
  }
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  return hex !== undefined && ((BigInt(`0x${hex}`) >> CAP_NET_ADMIN) & 1n) === 1n;
}

export type TapSource = 'create' | 'pool';

/** `auto` → `create` when the process holds CAP_NET_ADMIN, else `pool`. */
export function chooseTapSource(setting: 'auto' | TapSource, netAdmin = hasNetAdmin()): TapSource {
  if (setting !== 'auto') return setting;
  return netAdmin ? 'create' : 'pool';
}
