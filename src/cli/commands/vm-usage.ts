/** `aether vm usage <vm>`, and the usage lines of `vm get`. */

import type { AetherClient, Vm, VmUsage } from '@aetherium/sdk';
import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { printFields, printJson } from '../format.js';

/** `12.3 MiB`; binary units, as the VM's `memory_mib` is. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The figures as `field value` lines; `-` where the driver cannot tell. */
export function usageFields(usage: VmUsage): [string, string | null][] {
  const bytes = (n: number | null) => (n === null ? null : formatBytes(n));
  return [
    ['cpu', usage.cpu_seconds === null ? null : `${usage.cpu_seconds.toFixed(2)} s`],
    ['memory', bytes(usage.memory_bytes)],
    ['memory peak', bytes(usage.memory_peak_bytes)],
    ['disk used', bytes(usage.disk_bytes)],
    ['processes', usage.processes === null ? null : String(usage.processes)],
    ['sampled', usage.sampled_at],
  ];
}

/**
 * The usage lines under `vm get` for a running VM. Best effort: a VM whose usage cannot be read
 * (its worker unreachable, an older server) is still shown, with the reason on one line.
 */
export async function printUsageOf(client: AetherClient, vm: Vm): Promise<void> {
  if (vm.status !== 'running') return;
  try {
    const usage = await client.getVmUsage(vm.id);
    printFields(usageFields(usage).map(([key, value]) => [`usage: ${key}`, value]));
  } catch (error) {
    printFields([['usage', `unknown (${(error as Error).message})`]]);
  }
}

export function registerVmUsageCommand(vm: Command): void {
  vm.command('usage <vm>')
    .description('show what a running VM uses now: CPU time, memory, disk, processes')
    .option('--json', 'print JSON')
    .action(async (idOrName: string, opts: { json?: boolean }) => {
      const usage = await clientFromEnv().getVmUsage(idOrName);
      if (opts.json) return printJson(usage);
      printFields(usageFields(usage));
    });
}
