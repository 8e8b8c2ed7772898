import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteThread, type PgliteThread } from '../../pglite/pglite-thread.js';
import { describeQueueConformance } from '../../testing/conformance/queue/queue-suite.js';
import { findShadowingNames } from './pg-schema.js';
import { createPglitePool } from './pglite-pool.js';
import { createPgliteQueue } from './pglite-queue.js';

// One instance for the file: creating one takes seconds and ~0.75 GB; prefixes keep tests apart.
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(async () => {
  await db?.close();
});

describeQueueConformance('BullMQ on PGlite', (prefix) => createPgliteQueue(db, { prefix }));

describe('on PGlite on its own thread, as a node runs it', () => {
  let threaded: PgliteThread;
  beforeAll(async () => {
    threaded = await openPgliteThread('memory');
  });
  afterAll(async () => {
    await threaded?.close();
  });
  describeQueueConformance('BullMQ on PGlite (own thread)', (prefix) =>
    createPgliteQueue(threaded, { prefix }),
  );
});

const STORE_MIGRATIONS = fileURLToPath(new URL('../../store/migrations', import.meta.url));

describe('PGlite queue beside the store', () => {
  it.skipIf(!existsSync(STORE_MIGRATIONS))("shares the instance with the store's tables", async () => {
    const shared = await PGlite.create();
    try {
      // The store's committed migrations, applied as drizzle does (statement by statement).
      for (const file of readdirSync(STORE_MIGRATIONS)
        .filter((f) => f.endsWith('.sql'))
        .sort()) {
        for (const statement of readFileSync(join(STORE_MIGRATIONS, file), 'utf8').split(
          '--> statement-breakpoint',
        )) {
          if (statement.trim() !== '') await shared.exec(statement);
        }
      }
      const queue = await createPgliteQueue(shared, { prefix: 'coexist' });
      await queue.enqueue({
        taskId: crypto.randomUUID(),
        type: 'vm:create',
        priority: 'default',
        attempts: 1,
        backoffMs: 0,
      });
      expect((await queue.counts()).waiting).toBe(1);
      // The store still creates and finds its tables in public.
      await shared.exec('CREATE TABLE later_store_table (id int)');
      const { rows } = await shared.query<{ schema: string }>(
        "SELECT table_schema AS schema FROM information_schema.tables WHERE table_name IN ('tasks', 'later_store_table')",
      );
      expect(rows.map((r) => r.schema)).toEqual(['public', 'public']);
      await queue.close();
    } finally {
      await shared.close();
    }
  });

  it('refuses to start when a public name would shadow one of BullMQ', async () => {
    await db.exec('CREATE TABLE IF NOT EXISTS public.job (id int)');
    try {
      expect(await findShadowingNames(createPglitePool(db))).toEqual(['job']);
      await expect(createPgliteQueue(db, { prefix: 'shadow' })).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    } finally {
      await db.exec('DROP TABLE public.job');
    }
  });

  it('answers like node-postgres: int8 as string, json parsed, params typed by context', async () => {
    const pool = createPglitePool(db);
    const { rows } = await pool.query<{ big: string; doc: { a: number[] }; n: number; t: string | null }>(
      "SELECT $1::bigint AS big, $2::jsonb AS doc, $3::int + 1 AS n, $4::text AS t -- $5 in a comment: it's ignored",
      ['9007199254740993', { a: [1, 2] }, 41, null],
    );
    expect(rows).toEqual([{ big: '9007199254740993', doc: { a: [1, 2] }, n: 42, t: null }]);
    await pool.end();
  });
});
