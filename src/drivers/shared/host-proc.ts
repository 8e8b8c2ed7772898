/** Host-side /proc helpers: is a sandbox still alive, is a pid still the process we started. */
import { readdirSync, readFileSync } from 'node:fs';

function stat(pid: number): { state: string; startTime: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const close = text.lastIndexOf(')');
    // Fields after the command name, from field 3 (state); field 22 is the start time.
    const fields = text.slice(close + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return null;
  }
}

/** Start time of `pid` since boot (clock ticks), with its pid a process's identity; null when gone. */
export function startTime(pid: number): string | null {
  const s = stat(pid);
  return s && s.state !== 'Z' && s.state !== 'X' ? s.startTime : null;
}

/** Alive means present and not a zombie (a zombie holds nothing but its pid). */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

export function cmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.length === 0 ? null : raw.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

/**
 * Every live process with `word` as a whole argument of its command line: how a process known
 * only by a random tag in its argv is found when its pid was never recorded.
 */
export function pidsWithArgument(word: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (cmdline(pid)?.includes(word) && isAlive(pid)) found.push(pid);
  }
  return found;
}

/** Direct children of `pid` (Linux ≥ 3.5 with CONFIG_PROC_CHILDREN). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true once none of `pids` is alive, false if `timeoutMs` passes first. */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    if (pids.every((pid) => !isAlive(pid))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
    delay = Math.min(delay * 2, 20);
  }
}
