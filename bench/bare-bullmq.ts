/**
 * The distributed baseline: a bare BullMQ job round trip on the same Redis — add a job, a no-op
 * Worker takes it, and the producer hears `completed` through QueueEvents — with nothing of
 * Aetherium around it. In-process, the cheapest BullMQ round trip there is.
 */
import { randomBytes } from 'node:crypto';
import { type ConnectionOptions, Queue, QueueEvents, Worker } from 'bullmq';

export interface BareBullmq {
  /** One job: add → processed by a no-op worker → `completed` heard by the producer. */
  roundTrip(): Promise<void>;
  close(): Promise<void>;
}

/** ioredis options from a `redis://[user:pass@]host:port[/db]` URL; BullMQ opens its own clients. */
function connectionOf(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    db: Number(u.pathname.slice(1) || 0),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * A queue under its own prefix with `workers` no-op Workers of `concurrency` each. Jobs are
 * removed on completion, as Aetherium's are.
 */
export async function openBareBullmq(
  redisUrl: string,
  workers: number,
  concurrency: number,
): Promise<BareBullmq> {
  const connection = connectionOf(redisUrl);
  const prefix = `bare${randomBytes(4).toString('hex')}`;
  const name = 'bench';
  const queue = new Queue(name, { connection, prefix });
  // From the start of the (new) stream, so no `completed` can slip past before the first read.
  const events = new QueueEvents(name, { connection, prefix, lastEventId: '0-0' });
  const consumers = Array.from(
    { length: workers },
    () => new Worker(name, async () => {}, { connection, prefix, concurrency }),
  );
  const waiting = new Map<string, { resolve(): void; reject(error: Error): void }>();
  events.on('completed', ({ jobId }) => waiting.get(jobId)?.resolve());
  events.on('failed', ({ jobId, failedReason }) => waiting.get(jobId)?.reject(new Error(failedReason)));
  await Promise.all([
    queue.waitUntilReady(),
    events.waitUntilReady(),
    ...consumers.map((w) => w.waitUntilReady()),
  ]);

  let seq = 0;
  return {
    async roundTrip() {
      const jobId = `j${++seq}`;
      const done = new Promise<void>((resolve, reject) => waiting.set(jobId, { resolve, reject }));
      try {
        await queue.add('noop', {}, { jobId, removeOnComplete: true, removeOnFail: true });
        await done;
      } finally {
        waiting.delete(jobId);
      }
    },
    async close() {
      await Promise.all(consumers.map((w) => w.close()));
      await events.close();
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
    },
  };
}
