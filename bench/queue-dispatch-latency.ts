/**
 * Measures dispatch latency (enqueue → processor start) and throughput of each queue backend.
 *
 *   node --import tsx bench/queue-dispatch-latency.ts [pglite|redis|postgres ...]
 *
 * Redis and PostgreSQL come from TEST_REDIS_URL / TEST_DATABASE_URL (defaults: local servers).
 * Each run uses its own prefix and cleans up after itself.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TaskQueue } from '../src/core/queue.js';
import { createPgliteQueue } from '../src/queue/bullmq/pglite-queue.js';
import { createPostgresQueue } from '../src/queue/bullmq/postgres-queue.js';
import { createRedisQueue } from '../src/queue/bullmq/redis-queue.js';
import { measureWakeLatencies } from '../src/testing/conformance/queue/helpers.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = 200;
const BATCH = 2000;
/** Pause between latency rounds: 2 ms is a busy client, 20+ ms an idle one. */
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 2);

interface Opened {
  queue: TaskQueue;
  dispose(): Promise<void>;
}

async function open(kind: string, prefix: string): Promise<Opened> {
  if (kind === 'pglite') {
    const db = await PGlite.create();
    const queue = await createPgliteQueue(db, { prefix });
    return { queue, dispose: () => db.close() };
  }
  if (kind === 'redis') {
    const purge = async () => {
      const admin = new Redis(REDIS_URL);
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
    };
    return { queue: await createRedisQueue({ url: REDIS_URL, prefix }), dispose: purge };
  }
  if (kind === 'postgres') {
    // A throwaway database, so BullMQ's schema is not left behind.
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(sql);
      await client.end();
    };
    await admin(`CREATE DATABASE ${prefix}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${prefix}`;
    const queue = await createPostgresQueue({ connectionString: url.toString(), prefix });
    return { queue, dispose: () => admin(`DROP DATABASE ${prefix} WITH (FORCE)`) };
  }
  throw new Error(`unknown backend ${kind}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

async function throughput(
  queue: TaskQueue,
  queueName: string,
): Promise<{ addPerSec: number; processPerSec: number }> {
  const ids = Array.from({ length: BATCH }, () => randomUUID());
  const t0 = performance.now();
  await Promise.all(
    ids.map((taskId) =>
      queue.enqueue({ taskId, type: 'vm:create', priority: 'default', attempts: 1, backoffMs: 0, queueName }),
    ),
  );
  const addPerSec = BATCH / ((performance.now() - t0) / 1000);
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    void queue.consume(
      async () => {
        if (++done === BATCH) resolve();
      },
      { queueNames: [queueName], concurrency: 16 },
    );
  });
  const t1 = performance.now();
  await finished;
  return { addPerSec, processPerSec: BATCH / ((performance.now() - t1) / 1000) };
}

for (const kind of process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : ['pglite', 'redis', 'postgres']) {
  const prefix = `bench${Date.now().toString(36)}`;
  const { queue, dispose } = await open(kind, prefix);
  try {
    // Pausing between rounds lets the worker go back to its blocking wait, as between real requests.
    const samples = await measureWakeLatencies(queue, ROUNDS, { pauseMs: GAP_MS, queueName: 'latency' });
    const fmt = (n: number) => n.toFixed(2);
    console.log(
      `${kind}: dispatch latency over ${ROUNDS} rounds: p50 ${fmt(percentile(samples, 0.5))} ms, ` +
        `p90 ${fmt(percentile(samples, 0.9))} ms, p99 ${fmt(percentile(samples, 0.99))} ms`,
    );
    const { addPerSec, processPerSec } = await throughput(queue, 'throughput');
    console.log(
      `${kind}: ${BATCH} jobs: enqueue ${addPerSec.toFixed(0)}/s (parallel), process ${processPerSec.toFixed(0)}/s (concurrency 16)`,
    );
  } finally {
    await queue.close();
    await dispose();
  }
}
