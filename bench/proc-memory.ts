/** Resident memory of one process from /proc, its own pages only: children are not counted. */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in KiB (the kernel's "kB"). */
export function residentKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/**
 * The median of `samples` readings `intervalMs` apart: one reading can land on a passing
 * allocation spike (a timer's GC, a heartbeat's query).
 */
export async function settledResidentKiB(pid: number, samples = 5, intervalMs = 200): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    readings.push(residentKiB(pid));
  }
  readings.sort((a, b) => a - b);
  return readings[Math.floor(readings.length / 2)]!;
}

export const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
