import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL, redisAvailable } from '../../../test/support/backends.js';
import { SHARED_QUEUE } from '../../core/queue.js';
import { deferred, recorder, task, uniquePrefix, waitFor } from '../../testing/conformance/queue/helpers.js';
import { describeQueueConformance } from '../../testing/conformance/queue/queue-suite.js';
import { createRedisQueue } from './redis-queue.js';

const available = await redisAvailable();
const admin = available ? new Redis(REDIS_URL, { lazyConnect: true }) : undefined;
afterAll(async () => {
  await admin?.quit();
});

/** Deletes every key BullMQ wrote under `prefix`. */
async function purge(prefix: string): Promise<void> {
  if (!admin) return;
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

describeQueueConformance('BullMQ on Redis', (prefix) => createRedisQueue({ url: REDIS_URL, prefix }), {
  skip: !available,
  purge,
});

describe.skipIf(!available)('Redis queue specifics', () => {
  it('fails fast with ERR_QUEUE_UNAVAILABLE when Redis cannot be reached', async () => {
    const started = Date.now();
    await expect(
      createRedisQueue({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 }),
    ).rejects.toMatchObject({
      code: 'ERR_QUEUE_UNAVAILABLE',
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses an ioredis keyPrefix', async () => {
    const client = new Redis(REDIS_URL, { keyPrefix: 'nope:', lazyConnect: true });
    await expect(createRedisQueue({ connection: client })).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    client.disconnect();
  });

  it('reclaims a running task whose lock lapsed (its holder died), and only then', async () => {
    const prefix = uniquePrefix('lapse');
    // Stall detection far away: what moves the task here is the reclaim, not BullMQ's own check.
    const options = { url: REDIS_URL, prefix, stalledIntervalMs: 600_000 };
    const stuck = await createRedisQueue(options);
    const live = await createRedisQueue(options);
    const never = deferred();
    const first = recorder(() => never.promise);
    const second = recorder();
    try {
      await stuck.consume(first.processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      const t = task();
      await stuck.enqueue(t);
      await waitFor('first delivery', () => first.seen.length === 1);
      await live.consume(second.processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      expect(await live.reclaim(t.taskId, SHARED_QUEUE)).toBe(false);
      // What a kill -9 leaves once the lock's time is up: an active job that nobody renews.
      await admin!.del(`${prefix}:${SHARED_QUEUE}:${t.taskId}:lock`);
      expect(await live.reclaim(t.taskId, SHARED_QUEUE)).toBe(true);
      await waitFor('redelivery', () => second.seen.length === 1);
    } finally {
      never.resolve();
      await stuck.close();
      await live.close();
      await purge(prefix);
    }
  });

  it('leaves a caller-owned connection open on close', async () => {
    const client = new Redis(REDIS_URL);
    const prefix = uniquePrefix('owned');
    const queue = await createRedisQueue({ connection: client, prefix });
    await queue.close();
    expect(await client.ping()).toBe('PONG');
    await purge(prefix);
    await client.quit();
  });
});
