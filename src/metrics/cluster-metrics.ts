import { Gauge, type Registry } from 'prom-client';
import type { PriorityCounts, TaskQueue } from '../core/queue.js';
import type { Store, VmCount } from '../core/store.js';
import { type DriverName, VM_STATUSES } from '../core/vm.js';
import { HEARTBEATING_STATUSES, WORKER_STATUSES, type WorkerRecord } from '../core/worker.js';

/** What the cluster-wide gauges read at each scrape. */
export interface ClusterSources {
  store: Pick<Store, 'countVms' | 'listWorkers'>;
  queue: Pick<TaskQueue, 'depth'>;
  /** The drivers of this build: each gets a zero series per state. */
  driverNames: readonly DriverName[];
  /** Milliseconds since the epoch; the heartbeat ages are measured against it. */
  now?: () => number;
}

interface Snapshot {
  vms: PromiseSettledResult<VmCount[]>;
  depth: PromiseSettledResult<Record<string, PriorityCounts>>;
  workers: PromiseSettledResult<WorkerRecord[]>;
}

type Source = keyof Snapshot;
const SOURCES: readonly Source[] = ['vms', 'depth', 'workers'];

/**
 * Gauges of the whole cluster, read from the store and the queue when scraped (nothing is kept
 * between scrapes): VMs by state and driver, queue depth by queue and priority, workers by status
 * and the age of each live worker's last heartbeat. One read per source per scrape, shared by the
 * gauges that need it. A source that fails clears its gauges and reports 0 in
 * `aether_metrics_source_up`, so the scrape itself still succeeds and nothing stale is shown.
 */
export function registerClusterMetrics(registry: Registry, sources: ClusterSources): void {
  const now = sources.now ?? Date.now;
  let inFlight: Promise<Snapshot> | null = null;
  // Every gauge's collect runs in the same tick of one scrape, so they share one read.
  const snapshot = (): Promise<Snapshot> => {
    inFlight ??= (async () => {
      const [vms, depth, workers] = await Promise.allSettled([
        sources.store.countVms(),
        sources.queue.depth(),
        sources.store.listWorkers(),
      ]);
      return { vms: vms!, depth: depth!, workers: workers! };
    })().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  new Gauge({
    name: 'aether_metrics_source_up',
    help: 'Whether the last scrape could read this source (1) or not (0): vms and workers from the store, depth from the queue',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      const read = await snapshot();
      for (const source of SOURCES) this.set({ source }, read[source].status === 'fulfilled' ? 1 : 0);
    },
  });

  new Gauge({
    name: 'aether_vms',
    help: 'VMs by state and driver (deleted ones are not counted)',
    labelNames: ['state', 'driver'],
    registers: [registry],
    async collect() {
      const { vms } = await snapshot();
      this.reset();
      if (vms.status === 'rejected') return;
      // Zeros too, so a state that empties shows 0 instead of vanishing from the graph.
      for (const state of VM_STATUSES) {
        if (state === 'deleted') continue;
        for (const driver of sources.driverNames) this.set({ state, driver }, 0);
      }
      for (const { status, driver, count } of vms.value) this.set({ state: status, driver }, count);
    },
  });

  new Gauge({
    name: 'aether_queue_depth',
    help: 'Tasks waiting to be delivered, by queue name and priority (running tasks and delayed retries not included)',
    labelNames: ['queue', 'priority'],
    registers: [registry],
    async collect() {
      const { depth } = await snapshot();
      this.reset();
      if (depth.status === 'rejected') return;
      for (const [queue, counts] of Object.entries(depth.value)) {
        for (const [priority, waiting] of Object.entries(counts)) this.set({ queue, priority }, waiting);
      }
    },
  });

  new Gauge({
    name: 'aether_workers',
    help: 'Workers in the registry by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { workers } = await snapshot();
      this.reset();
      if (workers.status === 'rejected') return;
      for (const status of WORKER_STATUSES) this.set({ status }, 0);
      for (const worker of workers.value) this.inc({ status: worker.status });
    },
  });

  new Gauge({
    name: 'aether_worker_heartbeat_age_seconds',
    help: "Seconds since each heartbeating worker's last heartbeat was recorded (at the database's clock, read against this node's)",
    labelNames: ['worker'],
    registers: [registry],
    async collect() {
      const { workers } = await snapshot();
      this.reset();
      if (workers.status === 'rejected') return;
      const at = now();
      for (const worker of workers.value) {
        if (!HEARTBEATING_STATUSES.includes(worker.status)) continue;
        this.set({ worker: worker.id }, Math.max(0, (at - worker.lastHeartbeatAt.getTime()) / 1000));
      }
    },
  });
}
