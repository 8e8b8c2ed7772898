/**
 * Cluster mode: BullMQ on Redis. One shared producer connection that fails fast (an HTTP request
 * should get a 503, not hang while Redis is away), and per-worker connections that BullMQ opens
 * itself with `maxRetriesPerRequest: null`, so workers wait out outages and reconnect.
 */
import {
  type RedisOptions as BullRedisOptions,
  Queue,
  QueueEvents,
  QueueEventsProducer,
  Worker,
} from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { AetherError } from '../../core/errors.js';
import type { TaskQueue } from '../../core/queue.js';
import { type BullmqBackend, type BullmqQueueOptions, DEFAULT_PREFIX, type TaskJobData } from './backend.js';
import { BullmqTaskQueue } from './task-queue.js';

export interface RedisQueueOptions extends BullmqQueueOptions {
  /** `redis://[user:pass@]host:port[/db]`. Ignored when `connection` is given. */
  url?: string;
  /**
   * An ioredis client owned by the caller (left open on `close()`), used for producing. It must
   * not set `keyPrefix`: BullMQ namespaces keys with `prefix` instead.
   */
  connection?: Redis;
  /** How long to wait for Redis at start-up and for a producer's connect (ms). Default 5 000. */
  connectTimeoutMs?: number;
}

function producerOptions(connectTimeoutMs: number): RedisOptions {
  return {
    // Fail fast: one retry, and no offline queue that would hold commands while disconnected.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: connectTimeoutMs,
    lazyConnect: true,
  };
}

async function waitReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') {
    await client.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    const onReady = () => done();
    function done(error?: Error) {
      clearTimeout(timer);
      client.off('ready', onReady);
      if (error) reject(error);
      else resolve();
    }
    client.on('ready', onReady);
  });
}

export async function createRedisQueue(options: RedisQueueOptions): Promise<TaskQueue> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const ownsProducer = options.connection === undefined;
  let producer: Redis;
  if (options.connection) producer = options.connection;
  else if (options.url) producer = new Redis(options.url, producerOptions(connectTimeoutMs));
  else throw new AetherError('ERR_CONFIG', 'createRedisQueue needs a url or a connection');
  if (producer.options.keyPrefix) {
    throw new AetherError(
      'ERR_CONFIG',
      'the Redis connection sets keyPrefix; use the queue prefix option instead',
    );
  }
  // Until the first error handler is attached, an unreachable server would crash the process.
  producer.on('error', () => {});

  try {
    await waitReady(producer, connectTimeoutMs);
  } catch (error) {
    if (ownsProducer) producer.disconnect();
    throw new AetherError('ERR_QUEUE_UNAVAILABLE', `cannot reach Redis: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const prefix = options.prefix ?? DEFAULT_PREFIX;
  // Blocking connections (workers, event listeners) are built by BullMQ from these options;
  // they retry forever instead of failing the blocked command.
  const blocking: BullRedisOptions = {
    ...(producer.options as BullRedisOptions),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    lazyConnect: false,
  };
  const backend: BullmqBackend = {
    kind: 'bullmq-redis',
    createQueue: (name) => new Queue<TaskJobData>(name, { connection: producer, prefix }),
    createWorker: (name, processor, settings) =>
      new Worker(name, processor, { ...settings, connection: blocking, prefix }),
    createEvents: (name) => new QueueEvents(name, { connection: blocking, prefix }),
    createEventsProducer: (name) => new QueueEventsProducer(name, { connection: producer, prefix }),
    listQueueNames: async () => {
      // BullMQ writes `<prefix>:<queue>:meta` when a Queue object is created; names have no ':'.
      const names = new Set<string>();
      let cursor = '0';
      do {
        const [next, keys] = await producer.scan(cursor, 'MATCH', `${prefix}:*:meta`, 'COUNT', 1000);
        for (const key of keys) names.add(key.slice(prefix.length + 1, -':meta'.length));
        cursor = next;
      } while (cursor !== '0');
      return [...names];
    },
    // BullMQ keeps an active job's lock at `<prefix>:<queue>:<id>:lock`, renewed by its holder.
    isJobLocked: async (name, jobId) => (await producer.exists(`${prefix}:${name}:${jobId}:lock`)) === 1,
    // The marker BullMQ's own scripts add for a new job: blocked workers pop it and fetch.
    wakeConsumers: async (name) => {
      await producer.zadd(`${prefix}:${name}:marker`, 0, '0');
    },
    ping: async () => {
      await producer.ping();
    },
    close: async () => {
      if (ownsProducer) await producer.quit().catch(() => producer.disconnect());
    },
  };
  const queue = new BullmqTaskQueue(backend, options);
  await queue.ready();
  return queue;
}
