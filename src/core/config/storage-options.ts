import { z } from 'zod';
import { defineOptions, positiveInt, urlOption } from './option.js';

/** Where state lives and how work travels: store, queue and event bus (sections `storage`, `queue`, `event_bus`). */
export const STORAGE_OPTIONS = defineOptions({
  databaseUrl: {
    env: 'DATABASE_URL',
    file: 'storage.database_url',
    default: '',
    doc: 'PostgreSQL URL; empty = embedded PGlite in the data dir',
    schema: urlOption(/^postgres(ql)?:\/\//, 'postgres://'),
    maskUrlPassword: true,
  },
  dataDir: {
    env: 'AETHER_DATA_DIR',
    file: 'storage.data_dir',
    default: './.aether',
    doc: 'Embedded store, queue and VM files',
    schema: z.string().min(1),
  },
  redisUrl: {
    env: 'REDIS_URL',
    file: 'queue.redis_url',
    default: '',
    doc: 'Redis URL for queue and events; empty = embedded',
    schema: urlOption(/^rediss?:\/\//, 'redis://'),
    maskUrlPassword: true,
  },
  embeddedQueue: {
    env: 'AETHER_EMBEDDED_QUEUE',
    file: 'queue.embedded',
    default: 'local',
    doc: 'Queue without Redis: `local` (in-process) or `bullmq` (BullMQ on the embedded database)',
    schema: z.enum(['local', 'bullmq']),
  },
  queueLockMs: {
    env: 'AETHER_QUEUE_LOCK_MS',
    file: 'queue.lock_ms',
    default: 30_000,
    doc: "Queue lock on a running task; a silent worker's task is redelivered after it",
    schema: positiveInt,
  },
  reconcileIntervalMs: {
    env: 'AETHER_RECONCILE_INTERVAL_MS',
    file: 'queue.reconcile_interval_ms',
    default: 30_000,
    doc: 'How often pending tasks the queue lost are enqueued again',
    schema: positiveInt,
  },
  eventsRedisUrl: {
    env: 'AETHER_EVENTS_REDIS_URL',
    file: 'event_bus.redis_url',
    default: '',
    doc: 'Redis URL for the event bus; empty = REDIS_URL',
    schema: urlOption(/^rediss?:\/\//, 'redis://'),
    maskUrlPassword: true,
  },
});
