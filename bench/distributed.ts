/**
 * Distributed mode: REST → gateway → Redis (BullMQ) → worker → process driver → agent, with
 * PostgreSQL as the store, as separate `aether gateway` / `aether worker` processes. Each figure
 * comes with a baseline measured in the same run on the same Redis: a bare BullMQ job round trip
 * (and the process driver's own exec), bare BullMQ jobs/s with two no-op workers, and a bare
 * namespace spawn for create → first exec.
 */
import { type BareBullmq, openBareBullmq } from './bare-bullmq.js';
import { runBaseline } from './baseline.js';
import { cliPackage } from './cli-package.js';
import { BenchSkip, type Cluster, openServices, startCluster, WORKER_IDS } from './cluster.js';
import { driverExecSamples } from './driver-exec.js';
import { fmt, percentile, ratio, throughput, timeIt } from './stats.js';
import { TARGETS } from './targets.js';

export interface DistributedOptions {
  execCalls: number;
  throughputCalls: number;
  clients: number;
  /** Sequential create → first exec → delete cycles: a small sample. */
  lifecycleVms: number;
}

export interface DistributedFigures {
  services: string;
  /** VMs of the throughput run per worker id. */
  spread: Record<string, number>;
  workersListed: boolean;
  execRoundTrip: { ours: number[]; bareBullmq: number[]; driverExec: number[] };
  throughput: { clients: number; total: number; workers: number; ours: number; bareBullmq: number };
  lifecycle: { createToFirstExec: number[]; bareNamespace: number[] };
}

export type DistributedResult = { skipped: string } | { figures: DistributedFigures; warnings: string[] };

/** Warm-up calls before each timed series. */
const WARM_UP = 20;

async function withBare<T>(
  redisUrl: string,
  workers: number,
  concurrency: number,
  use: (bare: BareBullmq) => Promise<T>,
): Promise<T> {
  const bare = await openBareBullmq(redisUrl, workers, concurrency);
  try {
    return await use(bare);
  } finally {
    await bare.close();
  }
}

async function execTrue(cluster: Cluster, vmId: string): Promise<void> {
  const res = await cluster.client.execute(vmId, { command: 'true' }, { wait: true });
  if (res.execution?.exit_code !== 0) throw new Error(`bench exec failed: ${JSON.stringify(res)}`);
}

/** Creates VMs until there are at least `count` and both workers hold one (at most 2×count). */
async function spreadVms(
  cluster: Cluster,
  count: number,
): Promise<{ ids: string[]; spread: Record<string, number> }> {
  const ids: string[] = [];
  const spread: Record<string, number> = {};
  while (ids.length < count || (Object.keys(spread).length < WORKER_IDS.length && ids.length < 2 * count)) {
    const { vm } = await cluster.client.createVm({ name: `bench-tp-${ids.length}` }, { wait: true });
    if (vm.status !== 'running') throw new Error(`bench VM is ${vm.status}: ${vm.status_reason}`);
    ids.push(vm.id);
    const owner = vm.worker_id ?? 'none';
    spread[owner] = (spread[owner] ?? 0) + 1;
  }
  return { ids, spread };
}

async function measure(
  cluster: Cluster,
  redisUrl: string,
  options: DistributedOptions,
  log: (line: string) => void,
): Promise<Omit<DistributedFigures, 'services' | 'workersListed'>> {
  log('distributed: 4 VMs over both workers');
  const { ids, spread } = await spreadVms(cluster, 4);
  const first = ids[0]!;

  log(
    `distributed exec round trip: ${options.execCalls} calls on a warm VM, then bare BullMQ and driver exec`,
  );
  for (let i = 0; i < WARM_UP; i++) await execTrue(cluster, first);
  const ours: number[] = [];
  for (let i = 0; i < options.execCalls; i++) ours.push(await timeIt(() => execTrue(cluster, first)));
  const bareBullmq = await withBare(redisUrl, 1, 1, async (bare) => {
    for (let i = 0; i < WARM_UP; i++) await bare.roundTrip();
    const samples: number[] = [];
    for (let i = 0; i < options.execCalls; i++) samples.push(await timeIt(() => bare.roundTrip()));
    return samples;
  });
  const driverExec = await driverExecSamples(options.execCalls);

  log(
    `distributed throughput: ${options.throughputCalls} executions from ${options.clients} clients over ${ids.length} VMs`,
  );
  let next = 0;
  const oursPerSecond = await throughput(options.throughputCalls, options.clients, () =>
    execTrue(cluster, ids[next++ % ids.length]!),
  );
  // The same concurrency as each of our workers (AETHER_WORKER_CONCURRENCY's default).
  const barePerSecond = await withBare(redisUrl, WORKER_IDS.length, 16, async (bare) => {
    for (let i = 0; i < WARM_UP; i++) await bare.roundTrip();
    return throughput(options.throughputCalls, options.clients, () => bare.roundTrip());
  });
  await Promise.all(ids.map((id) => cluster.client.deleteVm(id, { wait: true })));

  log(`distributed lifecycle: ${options.lifecycleVms} sequential create → first exec → delete`);
  const createToFirstExec: number[] = [];
  for (let i = 0; i < options.lifecycleVms + 1; i++) {
    const started = performance.now();
    const { vm } = await cluster.client.createVm({ name: `bench-life-${i}` }, { wait: true });
    await execTrue(cluster, vm.id);
    const elapsed = performance.now() - started;
    await cluster.client.deleteVm(vm.id, { wait: true });
    if (i > 0) createToFirstExec.push(elapsed); // the first is a warm-up
  }
  const bareNamespace = (await runBaseline('namespace', options.lifecycleVms)).samples;

  return {
    spread,
    execRoundTrip: { ours, bareBullmq, driverExec },
    throughput: {
      clients: options.clients,
      total: options.throughputCalls,
      workers: WORKER_IDS.length,
      ours: oursPerSecond,
      bareBullmq: barePerSecond,
    },
    lifecycle: { createToFirstExec, bareNamespace },
  };
}

/**
 * Runs the distributed section against DATABASE_URL / REDIS_URL (local defaults); `skipped`
 * when a server does not answer or the CLI is not built. Always removes what it made.
 */
export async function benchDistributed(
  options: DistributedOptions,
  log: (line: string) => void,
): Promise<DistributedResult> {
  let services: Awaited<ReturnType<typeof openServices>>;
  try {
    services = await openServices(process.env);
  } catch (error) {
    if (error instanceof BenchSkip) return { skipped: error.message };
    throw error;
  }
  const warnings: string[] = [];
  try {
    log(`distributed: 1 gateway + 2 workers on ${services.describe}`);
    const { bin } = await cliPackage(log);
    const cluster = await startCluster(services, bin);
    try {
      if (!cluster.workersListed)
        warnings.push('GET /api/v1/workers is not served: waited on worker start-up only');
      const figures = await measure(cluster, services.redisUrl, options, log);
      if (Object.keys(figures.spread).length < WORKER_IDS.length) {
        warnings.push(
          `every VM went to one worker (${JSON.stringify(figures.spread)}): throughput used one worker`,
        );
      }
      return {
        figures: { services: services.describe, workersListed: cluster.workersListed, ...figures },
        warnings,
      };
    } finally {
      await cluster.stop();
    }
  } finally {
    await services.close();
  }
}

export function summariseDistributed(f: DistributedFigures) {
  const p = percentile;
  const r = f.execRoundTrip;
  return {
    'exec round trip p50 (vs bare BullMQ job)': [p(r.ours, 50), p(r.bareBullmq, 50)],
    'exec round trip p99 (vs bare BullMQ job)': [p(r.ours, 99), p(r.bareBullmq, 99)],
    'exec round trip p50 (vs bare BullMQ job + driver exec)': [
      p(r.ours, 50),
      p(r.bareBullmq, 50) + p(r.driverExec, 50),
    ],
    'create→first exec p50 (vs bare namespace)': [
      p(f.lifecycle.createToFirstExec, 50),
      p(f.lifecycle.bareNamespace, 50),
    ],
  } as Record<string, [number, number]>;
}

/** Table rows in the embedded bench's format: figure, ours, same-run baseline, ratio. */
export function distributedRows(f: DistributedFigures): string[][] {
  const rows: string[][] = [['figure', 'aetherium', 'same-run baseline', 'ratio']];
  for (const [name, [ours, base]] of Object.entries(summariseDistributed(f))) {
    rows.push([name, fmt(ours), fmt(base), ratio(ours, base)]);
  }
  const t = f.throughput;
  rows.push([
    `executions/s, ${t.clients} clients, ${t.workers} workers (vs bare BullMQ jobs/s)`,
    `${t.ours.toFixed(0)}/s`,
    `${t.bareBullmq.toFixed(0)}/s`,
    `${(t.ours / t.bareBullmq).toFixed(2)}× of bare`,
  ]);
  return rows;
}

/**
 * The acceptance targets: at p50 and p99, ours ≤ 2 × bare BullMQ round trip + driver exec; and
 * executions/s ≥ 0.25 × bare BullMQ jobs/s.
 */
export function targetLines(f: DistributedFigures): string[] {
  const r = f.execRoundTrip;
  const factor = TARGETS.distributedExecRoundTrip;
  const roundTrips = [50, 99].map((q) => {
    const ours = percentile(r.ours, q);
    const bare = percentile(r.bareBullmq, q);
    const driver = percentile(r.driverExec, q);
    const limit = factor * bare + driver;
    return `target p${q}: ours ≤ ${factor} × bare ${fmt(bare)} + driver exec ${fmt(driver)} = ${fmt(limit)}; ours ${fmt(ours)} → ${ours <= limit ? 'met' : 'NOT met'}`;
  });
  const t = f.throughput;
  const share = t.ours / t.bareBullmq;
  const least = TARGETS.distributedThroughput;
  return [
    ...roundTrips,
    `target executions/s: ours ≥ ${least} × bare BullMQ ${t.bareBullmq.toFixed(0)}/s = ${(least * t.bareBullmq).toFixed(0)}/s; ours ${t.ours.toFixed(0)}/s (${share.toFixed(2)}×) → ${share >= least ? 'met' : 'NOT met'}`,
  ];
}
