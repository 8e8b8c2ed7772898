/**
 * BullMQ's PostgreSQL backend over anything shaped like a `pg.Pool`: a real pool (server mode)
 * or the PGlite shim (embedded mode). The caller has run the migrations and owns the pool.
 */
import { createPostgresBackend, type PgPool, withBackend } from 'bullmq';
import type { TaskQueue } from '../../core/queue.js';
import { type BullmqBackend, localName, namespacedName, type TaskJobData } from './backend.js';

const bull = withBackend(createPostgresBackend);

export interface PgBackendOptions {
  kind: Extract<TaskQueue['kind'], 'bullmq-pglite' | 'bullmq-postgres'>;
  pool: PgPool;
  /** PostgreSQL has no key prefix: the namespace becomes part of each queue name. */
  prefix: string;
  ping(): Promise<void>;
  /** Releases what the factory opened (its own pool, the shim's listeners). */
  release(): Promise<void>;
}

export function createPgBackend(options: PgBackendOptions): BullmqBackend {
  const connection = options.pool;
  const physical = (name: string) => namespacedName(options.prefix, name);
  return {
    kind: options.kind,
    createQueue: (name) => new bull.Queue<TaskJobData>(physical(name), { connection }),
    createWorker: (name, processor, settings) =>
      new bull.Worker(physical(name), processor, { ...settings, connection }),
    createEvents: (name) => new bull.QueueEvents(physical(name), { connection }),
    createEventsProducer: (name) => new bull.QueueEventsProducer(physical(name), { connection }),
    listQueueNames: async () => {
      // BullMQ writes a queue's `meta` rows when a Queue object is created for it.
      const { rows } = await connection.query<{ queue: string }>(
        'SELECT DISTINCT queue FROM meta WHERE starts_with(queue, $1)',
        [`${options.prefix}.`],
      );
      return rows.flatMap((row) => localName(options.prefix, row.queue) ?? []);
    },
    // The PostgreSQL backend keeps the lock as a deadline on the job row, renewed by its holder.
    isJobLocked: async (name, jobId) => {
      const { rows } = await connection.query<{ locked: boolean }>(
        'SELECT locked_until_ms > $3 AS locked FROM job WHERE queue = $1 AND id = $2',
        [physical(name), jobId, Date.now()],
      );
      return rows[0]?.locked === true;
    },
    // The notification BullMQ's PostgreSQL backend sends when a job is added.
    wakeConsumers: async (name) => {
      await connection.query('SELECT pg_notify($1, $2)', ['bullmq_jobs', physical(name)]);
    },
    ping: options.ping,
    close: options.release,
  };
}
