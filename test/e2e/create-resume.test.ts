/**
 * A worker killed (SIGKILL) while it creates VMs, restarted at once, with the queue's default
 * 30 s lock: the creates it had taken resume as soon as it is back, not when its dead process's
 * queue locks lapse and the queue's stall check notices (about a minute, before). Real
 * processes: `aether gateway` and `aether worker` on PostgreSQL and Redis.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, prepareCli } from '../fault/cluster.js';
import { HistoryWriter } from '../fault/history.js';
import { sweepProcessesMentioning, waitFor } from '../fault/processes.js';
import { postgresAvailable, REDIS_URL, redisAvailable } from '../support/backends.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { throwawayDatabase } from '../support/throwaway-database.js';

const canRun =
  (await sandboxesAvailable('create resumed after a kill')) &&
  (await postgresAvailable()) &&
  (await redisAvailable());

/** Well under the 30 s queue lock the worker runs with here. */
const RESUME_LIMIT_MS = 10_000;

describe.skipIf(!canRun)('creates interrupted by a worker crash (gateway + worker processes)', () => {
  const database = throwawayDatabase('aether_resume');
  const redisUrl = new URL(REDIS_URL);
  redisUrl.pathname = `/${1 + Math.floor(Math.random() * 15)}`;
  let runDir: string;
  let cluster: Cluster | null = null;
  let db: pg.Pool;

  beforeAll(async () => {
    runDir = mkdtempSync(path.join(os.tmpdir(), 'aether-resume-'));
    chmodSync(runDir, 0o711);
    await database.create();
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    const cli = await prepareCli(runDir);
    cluster = await Cluster.start({
      runDir,
      databaseUrl: database.url,
      redisUrl: redisUrl.href,
      cli: cli.argv,
      workerIds: ['w1'],
      history: new HistoryWriter(path.join(runDir, 'history.jsonl')),
      // The defaults a cluster runs with: a dead holder's lock lasts 30 s.
      env: {
        AETHER_QUEUE_LOCK_MS: '30000',
        AETHER_RECONCILE_INTERVAL_MS: '30000',
        AETHER_WARM_POOL_SIZE: '0',
      },
    });
  }, 180_000);

  afterAll(async () => {
    try {
      if (cluster) {
        for (const vm of await cluster.client.listVms().catch(() => [])) {
          await cluster.client.request('DELETE', `/vms/${vm.id}`, { query: { wait: true } }).catch(() => {});
        }
        await cluster.stop();
      }
    } finally {
      await db?.end();
      await sweepProcessesMentioning(runDir);
      await database.drop();
      rmSync(runDir, { recursive: true, force: true });
    }
  }, 120_000);

  it(`resumes them within ${RESUME_LIMIT_MS / 1000} s of the restart`, { timeout: 120_000 }, async () => {
    const client = cluster!.client;
    const sent = await Promise.all(
      Array.from({ length: 4 }, (_, i) => client.createVm({ name: `resume-${i + 1}` })),
    );
    const taskIds = sent.map((answer) => answer.task_id);
    // Killed once the worker has taken every create (the store says it runs them), mid-boot.
    await waitFor(
      'the worker to take every create',
      async () => {
        const { rows } = await db.query<{ status: string }>('SELECT status FROM tasks WHERE id = ANY($1)', [
          taskIds,
        ]);
        return rows.every((row) => row.status !== 'pending');
      },
      30_000,
      5,
    );
    await cluster!.killWorker('w1');
    const { rows: cut } = await db.query<{ status: string }>('SELECT status FROM tasks WHERE id = ANY($1)', [
      taskIds,
    ]);
    await cluster!.startWorker('w1');
    const restarted = Date.now();
    const statuses = new Map<string, string>();
    await waitFor(
      'every VM to run',
      async () => {
        for (const { vm } of sent) statuses.set(vm.name, (await client.getVm(vm.id)).status);
        return [...statuses.values()].every((status) => status === 'running');
      },
      60_000,
      100,
    ).catch(() => {});
    const resumedMs = Date.now() - restarted;
    console.info(
      `create resume: ${cut.filter((row) => row.status === 'processing').length} of 4 creates cut mid-run; all running ${resumedMs} ms after the restart`,
    );
    expect(Object.fromEntries(statuses)).toEqual({
      'resume-1': 'running',
      'resume-2': 'running',
      'resume-3': 'running',
      'resume-4': 'running',
    });
    expect(resumedMs).toBeLessThan(RESUME_LIMIT_MS);
  });
});
