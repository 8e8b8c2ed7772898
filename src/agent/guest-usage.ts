/**
 * The guest's own figures for `usage`: CPU time, memory in use, the home's disk use and the
 * process count, as its kernel counts them (/proc and statfs). Each one that cannot be read is
 * null, never a guess.
 */
import { readdir, readFile, statfs } from 'node:fs/promises';

/** Kernel clock ticks per second in /proc/stat: USER_HZ, 100 on every Linux architecture we run. */
const USER_HZ = 100;

export interface GuestUsage {
  cpuSeconds: number | null;
  memoryBytes: number | null;
  diskBytes: number | null;
  processes: number | null;
}

export async function guestUsage(home: string): Promise<GuestUsage> {
  const [cpuSeconds, memoryBytes, diskBytes, processes] = await Promise.all([
    cpuTime(),
    memoryInUse(),
    diskUsed(home),
    processCount(),
  ]);
  return { cpuSeconds, memoryBytes, diskBytes, processes };
}

/** `cpu user nice system idle iowait irq softirq steal …`: all but idle, iowait and steal. */
async function cpuTime(): Promise<number | null> {
  const line = (await readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  if (!line.startsWith('cpu ') || ticks.length < 7 || ticks.some((n) => !Number.isFinite(n))) return null;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = ticks;
  return (user + nice + system + irq + softirq) / USER_HZ;
}

async function memoryInUse(): Promise<number | null> {
  const text = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable');
  return total === null || available === null ? null : (total - available) * 1024;
}

async function diskUsed(home: string): Promise<number | null> {
  const stats = await statfs(home).catch(() => null);
  return stats ? (stats.blocks - stats.bfree) * stats.bsize : null;
}

async function processCount(): Promise<number | null> {
  const entries = await readdir('/proc').catch(() => null);
  return entries ? entries.filter((name) => /^\d+$/.test(name)).length : null;
}
