/**
 * Server mode without Redis: BullMQ's PostgreSQL backend on a PostgreSQL server.
 */
import pg from 'pg';
import { AetherError } from '../../core/errors.js';
import type { TaskQueue } from '../../core/queue.js';
import { type BullmqQueueOptions, DEFAULT_PREFIX } from './backend.js';
import { createPgBackend } from './pg-backend.js';
import { assertNoShadowing, BULLMQ_SCHEMA, migrateOnSession, SHARED_SEARCH_PATH } from './pg-schema.js';
import { BullmqTaskQueue } from './task-queue.js';

export interface PostgresQueueOptions extends BullmqQueueOptions {
  /**
   * A pool owned by the caller (left open on `close()`). Its sessions must reach the `bullmq`
   * schema: create it with `options: '-c search_path=public,bullmq'`
   * (`postgresQueueSearchPathOption`). It needs one connection per consumed queue name (each
   * worker holds one for LISTEN) plus a few for queries.
   */
  pool?: pg.Pool;
  /** `postgres://...`; used when no pool is given. We then own a pool of `poolMax` connections. */
  connectionString?: string;
  /** Size of the pool we create. Default 10. */
  poolMax?: number;
}

/** The libpq `options` value that gives a session BullMQ's schema after the store's. */
export const postgresQueueSearchPathOption = `-c search_path=${SHARED_SEARCH_PATH.replace(' ', '')}`;

async function searchPathReaches(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ schemas: string[] }>('SELECT current_schemas(false) AS schemas');
  return rows[0]?.schemas.includes(BULLMQ_SCHEMA) ?? false;
}

export async function createPostgresQueue(options: PostgresQueueOptions): Promise<TaskQueue> {
  const ownsPool = options.pool === undefined;
  let pool: pg.Pool;
  if (options.pool) pool = options.pool;
  else if (options.connectionString) {
    pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax ?? 10,
      options: postgresQueueSearchPathOption,
      // The LISTEN connection must notice a silent drop; BullMQ then blocks for long waits.
      keepAlive: true,
    });
  } else throw new AetherError('ERR_CONFIG', 'createPostgresQueue needs a pool or a connectionString');
  // An idle client's error (server restart) must not crash the process; BullMQ reconnects.
  const onPoolError = () => {};
  pool.on('error', onPoolError);

  try {
    const session = await pool.connect();
    try {
      await migrateOnSession(session);
    } finally {
      session.release();
    }
    if (!(await searchPathReaches(pool))) {
      throw new AetherError(
        'ERR_CONFIG',
        `the pool's search_path does not include ${BULLMQ_SCHEMA}; create it with options: '${postgresQueueSearchPathOption}'`,
      );
    }
    await assertNoShadowing(pool);
  } catch (error) {
    if (ownsPool) await pool.end();
    if (error instanceof AetherError) throw error;
    throw new AetherError(
      'ERR_QUEUE_UNAVAILABLE',
      `cannot prepare the PostgreSQL queue: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }

  const queue = new BullmqTaskQueue(
    createPgBackend({
      kind: 'bullmq-postgres',
      pool,
      prefix: options.prefix ?? DEFAULT_PREFIX,
      ping: async () => {
        await pool.query('SELECT 1');
      },
      release: async () => {
        pool.off('error', onPoolError);
        if (ownsPool) await pool.end();
      },
    }),
    options,
  );
  await queue.ready();
  return queue;
}
