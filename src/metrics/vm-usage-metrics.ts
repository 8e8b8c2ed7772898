import { Counter, Gauge, type Registry } from 'prom-client';
import type { Store } from '../core/store.js';
import type { VmRecord } from '../core/vm.js';
import type { VmUsage } from '../core/vm-usage.js';

/** What the per-VM series read at each scrape. */
export interface VmUsageSources {
  store: Pick<Store, 'listVms'>;
  /** The worker whose running VMs are exported (each VM by the worker that owns it, once). */
  workerId: string;
  /** One VM's usage, read by its driver on this worker. */
  usage(vm: VmRecord): Promise<VmUsage>;
}

const LABELS = ['vm_id', 'vm_name', 'project', 'driver'] as const;
type Sample = { vm: VmRecord; usage: VmUsage };

/**
 * Per-VM series of this worker's running VMs: CPU seconds, memory, processes. Nothing is kept
 * between scrapes (a VM that ended vanishes from the next one); a VM whose usage cannot be read,
 * or a figure its driver cannot tell, has no series rather than a zero. One label set per VM:
 * switched on by configuration (`metrics.per_vm`), as it grows with the number of VMs.
 */
export function registerVmUsageMetrics(registry: Registry, sources: VmUsageSources): void {
  let inFlight: Promise<Sample[]> | null = null;
  // The three collects run in one scrape: one list and one read per VM, shared.
  const samples = (): Promise<Sample[]> => {
    inFlight ??= (async () => {
      const vms = await sources.store.listVms({ workerId: sources.workerId, status: ['running'] });
      const read = await Promise.all(
        vms.map(async (vm) => {
          const usage = await sources.usage(vm).catch(() => null);
          return usage ? { vm, usage } : null;
        }),
      );
      return read.filter((s) => s !== null);
    })()
      .catch(() => [])
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const labelsOf = (vm: VmRecord) => ({
    vm_id: vm.id,
    vm_name: vm.name,
    project: vm.project,
    driver: vm.driver,
  });

  new Counter({
    name: 'aether_vm_cpu_seconds_total',
    help: 'CPU time used by the processes of each running VM since it started, in seconds',
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const read = await samples();
      this.reset();
      for (const { vm, usage } of read) {
        if (usage.cpuSeconds !== null) this.inc(labelsOf(vm), usage.cpuSeconds);
      }
    },
  });

  const gauge = (name: string, help: string, pick: (usage: VmUsage) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: LABELS,
      registers: [registry],
      async collect() {
        const read = await samples();
        this.reset();
        for (const { vm, usage } of read) {
          const value = pick(usage);
          if (value !== null) this.set(labelsOf(vm), value);
        }
      },
    });
  gauge(
    'aether_vm_memory_bytes',
    'Memory each running VM holds now (page cache included), in bytes',
    (u) => u.memoryBytes,
  );
  gauge('aether_vm_processes', 'Processes in each running VM now', (u) => u.processes);
}
