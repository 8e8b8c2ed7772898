/**
 * A gateway and two workers as separate processes on a throwaway PostgreSQL database and a Redis
 * database of their own, with a cluster secret, and four VMs spread over both workers: the setup
 * of the data-plane tests on a cluster. Registers its own beforeAll and afterAll.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Cluster, prepareCli } from '../fault/cluster.js';
import { HistoryWriter } from '../fault/history.js';
import { REDIS_URL } from './backends.js';
import { throwawayDatabase } from './throwaway-database.js';

export interface ClusterVm {
  id: string;
  worker: string;
}

export interface TwoWorkerCluster {
  cluster(): Cluster;
  /** `${gateway}/api/v1${path}` */
  api(path: string): string;
  /** The VMs made at start, in order; both workers own some. */
  vms: ClusterVm[];
  /** One VM per worker. */
  owners(): ClusterVm[];
  secret: string;
  databaseUrl: URL;
  redisUrl: URL;
  runDir(): string;
}

export function useTwoWorkerCluster(name: string, canRun: boolean): TwoWorkerCluster {
  const database = throwawayDatabase(`aether_${name}`);
  const databaseUrl = new URL(database.url);
  const redisUrl = new URL(REDIS_URL);
  redisUrl.pathname = `/${1 + Math.floor(Math.random() * 15)}`;
  const secret = randomBytes(32).toString('hex');
  let runDir = '';
  let cluster: Cluster | null = null;
  const vms: ClusterVm[] = [];
  const api = (p: string) => `${cluster!.url}/api/v1${p}`;

  beforeAll(async () => {
    if (!canRun) return;
    await database.create();
    runDir = mkdtempSync(path.join(os.tmpdir(), `aether-${name}-cluster-`));
    const cli = await prepareCli(runDir);
    cluster = await Cluster.start({
      runDir,
      cli: cli.argv,
      databaseUrl: databaseUrl.href,
      redisUrl: redisUrl.href,
      workerIds: [`${name}-w1`, `${name}-w2`],
      history: new HistoryWriter(path.join(runDir, 'history.jsonl')),
      env: { AETHER_CLUSTER_SECRET: secret, AETHER_WARM_POOL_SIZE: '1' },
    });
    // Enough VMs that both workers own some (placement spreads by load).
    for (let i = 0; i < 4; i++) {
      const res = await fetch(api('/vms?wait=true'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `${name}-${i}` }),
      });
      const body = (await res.json()) as { vm: { id: string; worker_id: string } };
      vms.push({ id: body.vm.id, worker: body.vm.worker_id });
    }
  }, 240_000);

  afterAll(async () => {
    for (const vm of vms) await fetch(api(`/vms/${vm.id}?wait=true`), { method: 'DELETE' }).catch(() => {});
    await cluster?.stop();
    if (canRun) await database.drop().catch(() => {});
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  }, 120_000);

  return {
    cluster: () => cluster!,
    api,
    vms,
    owners: () => [...new Map(vms.map((v) => [v.worker, v])).values()],
    secret,
    databaseUrl,
    redisUrl,
    runDir: () => runDir,
  };
}
