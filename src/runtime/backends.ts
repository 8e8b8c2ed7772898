import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { AetherConfig } from '../core/config.js';
import { AetherError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import { createLocalEventBus } from '../events/local/local-event-bus.js';
import { openPglite } from '../pglite/open-pglite.js';
import { migrate } from '../store/migrate.js';
import { createPgliteStore } from '../store/pglite/pglite-store.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';

export interface Backends {
  store: Store;
  queue: TaskQueue;
  events: EventBus;
  /** One line per backend, for the start-up banner. */
  describe: string[];
  close(): Promise<void>;
}

/**
 * Embedded (PGlite store + in-process or BullMQ-on-PGlite queue + in-process events) unless
 * DATABASE_URL / REDIS_URL point at servers. Heavy clients load only when used.
 */
export async function openBackends(config: AetherConfig, logger: Logger): Promise<Backends> {
  if (config.databaseUrl === '' && config.redisUrl === '') return openEmbedded(config, logger);
  return openServers(config, logger);
}

async function openEmbedded(config: AetherConfig, logger: Logger): Promise<Backends> {
  const dbDir = path.join(config.dataDir, 'db');
  mkdirSync(dbDir, { recursive: true });
  let db: PGlite;
  try {
    db = await openPglite(dbDir);
  } catch (error) {
    throw new AetherError(
      'ERR_STORE_UNAVAILABLE',
      `cannot open the embedded database in ${dbDir}; is another \`aether up\` using this data dir? (${(error as Error).message})`,
      { cause: error },
    );
  }
  await migrate({ pglite: db });
  const store = createPgliteStore(db);
  const queue = await openEmbeddedQueue(config, db, logger);
  const events = createLocalEventBus();
  return {
    store,
    queue,
    events,
    describe: [
      `store: embedded PostgreSQL (PGlite) in ${dbDir}`,
      config.embeddedQueue === 'local'
        ? 'queue: in-process (tasks are recorded in the store first; a restart re-enqueues them)'
        : 'queue: BullMQ on the embedded database',
      'events: in-process',
    ],
    async close() {
      await queue.close();
      await events.close();
      await store.close();
      await db.close();
    },
  };
}

/**
 * The embedded queue. `local` dispatches in process: the store already records every task
 * before it is enqueued, and the worker re-enqueues what the store says is pending after a
 * restart, so dispatch itself need not be durable — and it spares the single embedded database
 * session the ~10 statements per task that BullMQ's PostgreSQL backend runs. `bullmq` keeps one
 * queue library in every mode, at that cost.
 */
async function openEmbeddedQueue(config: AetherConfig, db: PGlite, logger: Logger): Promise<TaskQueue> {
  if (config.embeddedQueue === 'local') {
    const { createLocalQueue } = await import('../queue/local/local-queue.js');
    // Local queues with one prefix share tasks within a process: key it by the data dir, so two
    // nodes in one process (tests, benchmarks) never take each other's work.
    return createLocalQueue({ logger, prefix: `aether-${config.dataDir}` });
  }
  const { createPgliteQueue } = await import('../queue/bullmq/pglite-queue.js');
  return createPgliteQueue(db, { logger });
}

async function openServers(config: AetherConfig, logger: Logger): Promise<Backends> {
  if (config.databaseUrl === '' || config.redisUrl === '') {
    throw new AetherError(
      'ERR_CONFIG',
      'distributed mode needs both DATABASE_URL and REDIS_URL; set both, or neither for embedded mode',
    );
  }
  await migrate({ connectionString: config.databaseUrl });
  const store = createPostgresStore({ connectionString: config.databaseUrl }, { logger });
  const { createRedisQueue } = await import('../queue/bullmq/redis-queue.js');
  const { createRedisEventBus } = await import('../events/redis/redis-event-bus.js');
  const queue = await createRedisQueue({ url: config.redisUrl, logger });
  const events = await createRedisEventBus({ url: config.redisUrl });
  const redisHost = new URL(config.redisUrl).host;
  const pgHost = new URL(config.databaseUrl).host;
  return {
    store,
    queue,
    events,
    describe: [
      `store: PostgreSQL at ${pgHost}`,
      `queue: BullMQ on Redis at ${redisHost}`,
      `events: Redis at ${redisHost}`,
    ],
    async close() {
      await queue.close();
      await events.close();
      await store.close();
    },
  };
}
