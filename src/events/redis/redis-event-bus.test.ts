import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { REDIS_URL, redisAvailable } from '../../../test/support/backends.js';
import { startRedisRelay } from '../../../test/support/redis-traffic.js';
import { describeEventBusConformance } from '../../testing/conformance/events/event-bus-suite.js';
import { createRedisEventBus } from './redis-event-bus.js';

const available = await redisAvailable();

describeEventBusConformance('Redis pub/sub', (prefix) => createRedisEventBus({ url: REDIS_URL, prefix }), {
  skip: !available,
  crossInstance: true,
});

describe.skipIf(!available)('Redis event bus specifics', () => {
  it('drops a message that is not JSON and keeps delivering', async () => {
    const prefix = `evjunk${randomUUID().slice(0, 8)}`;
    const bus = await createRedisEventBus({ url: REDIS_URL, prefix });
    const raw = new Redis(REDIS_URL);
    try {
      const seen: unknown[] = [];
      bus.subscribe('vm.status', (p) => seen.push(p));
      await bus.ready();
      await raw.publish(`${prefix}:vm.status`, '{not json');
      await bus.publish('vm.status', { vmId: 'v', status: 'running', reason: 'r' });
      await expect.poll(() => seen.length).toBe(1);
    } finally {
      raw.disconnect();
      await bus.close();
    }
  });

  it('leaves the records a task event may carry in process behind (they can be megabytes)', async () => {
    const bus = await createRedisEventBus({ url: REDIS_URL, prefix: `evrec${randomUUID().slice(0, 8)}` });
    try {
      const seen: unknown[] = [];
      bus.subscribe('task.updated', (p) => seen.push(p));
      await bus.ready();
      const summary = { taskId: 't', type: 'vm:execute' as const, status: 'completed' as const, error: null };
      const record = { id: 't', payload: { exec: { stdin: 'x'.repeat(1000) } } };
      await bus.publish('task.updated', { ...summary, record: record as never, execution: {} as never });
      await expect.poll(() => seen.length).toBe(1);
      expect(seen).toEqual([summary]);
    } finally {
      await bus.close();
    }
  });

  it("receives every execution's events of its own prefix only, when the prefix holds glob characters", async () => {
    const id = randomUUID().slice(0, 8);
    const relay = await startRedisRelay(REDIS_URL);
    const globbed = await createRedisEventBus({ url: relay.url, prefix: `evglob${id}*` });
    const other = await createRedisEventBus({ url: REDIS_URL, prefix: `evglob${id}x` });
    try {
      const seen: unknown[] = [];
      globbed.subscribe('execution.output', (p) => seen.push(p));
      await globbed.ready();
      const output = {
        executionId: 'e',
        taskId: null,
        stream: 'stdout' as const,
        seq: 1,
        offset: 0,
        data: '',
      };
      // `*` unescaped in the pattern would bring the other prefix's channels to this connection too.
      await other.publish('execution.output', { ...output, executionId: 'not-mine' });
      await globbed.publish('execution.output', output);
      await expect.poll(() => seen.length).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toEqual([output]);
      expect(relay.received().includes('not-mine')).toBe(false);
    } finally {
      await Promise.all([globbed.close(), other.close()]);
      await relay.close();
    }
  });

  it('fails fast with ERR_QUEUE_UNAVAILABLE when Redis cannot be reached', async () => {
    await expect(
      createRedisEventBus({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 }),
    ).rejects.toMatchObject({
      code: 'ERR_QUEUE_UNAVAILABLE',
    });
  });
});
