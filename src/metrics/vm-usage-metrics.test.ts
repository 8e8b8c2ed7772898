import { describe, expect, it } from 'vitest';
import type { VmRecord } from '../core/vm.js';
import { unknownUsage, type VmUsage } from '../core/vm-usage.js';
import { createNodeMetrics, observeVmUsage } from '../runtime/node-metrics.js';
import { newVmInput } from '../testing/conformance/store/fixtures.js';

const vm = { ...newVmInput({ name: 'metered', project: 'p1' }), status: 'running' } as unknown as VmRecord;
const usage: VmUsage = { ...unknownUsage(), cpuSeconds: 2.5, memoryBytes: 1024, processes: 3 };
const store = { listVms: async () => [vm] };
const plane = { usage: async () => usage };

/** A worker-only node's registry (no cluster gauges read from a store). */
const workerMetrics = () =>
  createNodeMetrics({ gateway: false, worker: true }, 'w1', {
    store: {} as never,
    queue: {} as never,
  });

describe('per-VM usage series', () => {
  it('are absent unless switched on', async () => {
    const metrics = workerMetrics();
    observeVmUsage(metrics, { metricsPerVm: false, workerId: 'w1' }, store, plane);
    expect(await metrics.registry.metrics()).not.toContain('aether_vm_');
  });

  it('show each running VM of this worker, labelled, and leave out what a driver cannot tell', async () => {
    const metrics = workerMetrics();
    observeVmUsage(metrics, { metricsPerVm: true, workerId: 'w1' }, store, plane);
    const text = await metrics.registry.metrics();
    const labels = `vm_id="${vm.id}",vm_name="metered",project="p1",driver="process"`;
    expect(text).toContain(`aether_vm_cpu_seconds_total{${labels}} 2.5`);
    expect(text).toContain(`aether_vm_memory_bytes{${labels}} 1024`);
    expect(text).toContain(`aether_vm_processes{${labels}} 3`);
    expect(text).toContain('# TYPE aether_vm_cpu_seconds_total counter');
  });
});
