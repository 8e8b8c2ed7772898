import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, postgresAvailable } from '../../../test/support/backends.js';
import { describeQueueConformance } from '../../testing/conformance/queue/queue-suite.js';
import { createPostgresQueue, postgresQueueSearchPathOption } from './postgres-queue.js';

const available = await postgresAvailable();

// A throwaway database for this file, dropped afterwards, so BullMQ's schema never lingers.
const database = `aether_queue_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const url = new URL(POSTGRES_URL);
url.pathname = `/${database}`;
const connectionString = url.toString();

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  if (available) await admin((c) => c.query(`CREATE DATABASE ${database}`));
});
afterAll(async () => {
  if (available) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
});

describeQueueConformance(
  'BullMQ on PostgreSQL',
  (prefix) => createPostgresQueue({ connectionString, prefix }),
  {
    skip: !available,
  },
);

describe.skipIf(!available)('PostgreSQL queue specifics', () => {
  it('works on a caller-owned pool and leaves it open', async () => {
    const pool = new pg.Pool({ connectionString, options: postgresQueueSearchPathOption, max: 6 });
    try {
      const queue = await createPostgresQueue({ pool, prefix: 'owned' });
      await queue.enqueue({
        taskId: randomUUID(),
        type: 'vm:create',
        priority: 'low',
        attempts: 1,
        backoffMs: 0,
      });
      expect((await queue.counts()).waiting).toBe(1);
      await queue.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it("rejects a pool whose search_path misses BullMQ's schema", async () => {
    const pool = new pg.Pool({ connectionString, max: 2 });
    try {
      await expect(createPostgresQueue({ pool })).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    } finally {
      await pool.end();
    }
  });

  it('fails with ERR_QUEUE_UNAVAILABLE when the server cannot be reached', async () => {
    await expect(
      createPostgresQueue({ connectionString: 'postgres://postgres@127.0.0.1:1/none', poolMax: 1 }),
    ).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE' });
  });
});
