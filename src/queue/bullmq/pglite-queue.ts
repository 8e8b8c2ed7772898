/**
 * Embedded mode: BullMQ's PostgreSQL backend on the PGlite instance the store also uses, so
 * `aether up` needs neither Redis nor a PostgreSQL server.
 */
import type { TaskQueue } from '../../core/queue.js';
import type { EmbeddedDatabase } from '../../pglite/embedded-database.js';
import { type BullmqQueueOptions, DEFAULT_PREFIX } from './backend.js';
import { createPgBackend } from './pg-backend.js';
import { assertNoShadowing, migratePglite, SHARED_SEARCH_PATH } from './pg-schema.js';
import { createPglitePool, createPgliteQuery } from './pglite-pool.js';
import { BullmqTaskQueue } from './task-queue.js';

export type PgliteQueueOptions = BullmqQueueOptions;

/**
 * Creates BullMQ's schema (`bullmq`) in `db` if needed, points the shared session's
 * `search_path` at `public, bullmq`, and returns a ready queue. `db` stays open on `close()`:
 * the caller created it and shares it with the store.
 */
export async function createPgliteQueue(
  db: EmbeddedDatabase,
  options: PgliteQueueOptions = {},
): Promise<TaskQueue> {
  await migratePglite(db, createPgliteQuery());
  // BullMQ pins search_path through a startup option on pools it builds itself; a shared
  // session never sees that option, so set it once for the session.
  await db.exec(`SET search_path TO ${SHARED_SEARCH_PATH}`);
  const pool = createPglitePool(db);
  await assertNoShadowing(pool);
  const queue = new BullmqTaskQueue(
    createPgBackend({
      kind: 'bullmq-pglite',
      pool,
      prefix: options.prefix ?? DEFAULT_PREFIX,
      ping: async () => {
        await db.query('SELECT 1');
      },
      release: () => pool.end(),
    }),
    options,
  );
  await queue.ready();
  return queue;
}
