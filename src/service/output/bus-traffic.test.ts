/**
 * Per-execution channels on a real Redis: a gateway receives the bus traffic of the executions
 * it streams, and nothing of the others. Two gateways and a worker, each with an event bus of its
 * own; every byte Redis sends a gateway's bus passes through a relay that keeps it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, redisAvailable } from '../../../test/support/backends.js';
import { openMemoryStore } from '../../../test/support/memory-store.js';
import { type RedisTrafficRelay, startRedisRelay } from '../../../test/support/redis-traffic.js';
import type { EventBus } from '../../core/events.js';
import type { OutputEvent } from '../../core/output.js';
import { SYSTEM_ACCESS } from '../../core/principal.js';
import type { Store } from '../../core/store.js';
import type { AwaitableEventBus } from '../../events/handlers.js';
import { createRedisEventBus } from '../../events/redis/redis-event-bus.js';
import { claimedExecution, outcome } from '../../testing/conformance/store/fixtures.js';
import { ExecutionOutputService } from './execution-output-service.js';

const available = await redisAvailable();

describe.skipIf(!available)('execution output on Redis, per execution', () => {
  const prefix = `traffic${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let store: Store;
  const buses: EventBus[] = [];
  const relays: RedisTrafficRelay[] = [];

  beforeAll(async () => {
    store = await openMemoryStore();
  });
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await Promise.all(relays.map((relay) => relay.close()));
    await store?.close();
  });

  /** An event bus whose Redis traffic is kept by a relay. */
  async function watchedBus(): Promise<{ bus: AwaitableEventBus; relay: RedisTrafficRelay }> {
    const relay = await startRedisRelay(REDIS_URL);
    relays.push(relay);
    const bus = await createRedisEventBus({ url: relay.url, prefix });
    buses.push(bus);
    return { bus, relay };
  }

  /** A running execution, and the worker's side of it: each chunk stored, then published. */
  async function running(worker: EventBus) {
    const { execution: input, task, fence } = await claimedExecution(store);
    let seq = 0;
    let offset = 0;
    return {
      id: input.id,
      async print(text: string) {
        const data = Buffer.from(text);
        const chunk = { seq: ++seq, stream: 'stdout' as const, offset, data };
        offset += data.byteLength;
        await store.appendExecutionOutput(input.id, [chunk], fence);
        await worker.publish('execution.output', {
          executionId: input.id,
          taskId: task.id,
          stream: 'stdout',
          seq: chunk.seq,
          offset: chunk.offset,
          data: data.toString('base64'),
        });
      },
      async complete() {
        await store.completeExecution(input.id, outcome({ exitCode: 0 }), fence);
        await worker.publish('execution.completed', { executionId: input.id, taskId: task.id, exitCode: 0 });
      },
    };
  }

  /** Follows an execution to its end through `bus`, as a gateway's stream route does. */
  function follow(bus: EventBus, executionId: string): Promise<OutputEvent[]> {
    const output = new ExecutionOutputService({ store, events: bus }, { pollIntervalMs: 200 });
    return (async () => {
      const events: OutputEvent[] = [];
      for await (const event of output.follow(SYSTEM_ACCESS, executionId)) events.push(event);
      return events;
    })();
  }

  it('sends a gateway the output of the executions it streams, and no byte of the others', async () => {
    const worker = await createRedisEventBus({ url: REDIS_URL, prefix });
    buses.push(worker);
    const first = await watchedBus();
    const second = await watchedBus();
    // A subscriber of every execution's output, as every gateway was before: it hears both.
    const everything = await watchedBus();
    everything.bus.subscribe('execution.output', () => {});
    await everything.bus.ready();

    const a = await running(worker);
    const b = await running(worker);
    const followingA = follow(first.bus, a.id);
    const followingB = follow(second.bus, b.id);
    // Both followers subscribed: what is published from now on is live for them.
    await expect.poll(() => first.relay.received().includes(a.id), { timeout: 5000 }).toBe(true);
    await expect.poll(() => second.relay.received().includes(b.id), { timeout: 5000 }).toBe(true);

    const lines = 20;
    for (let i = 1; i <= lines; i++) {
      await a.print(`a${i}\n`);
      await b.print(`b${i}\n`);
    }
    await a.complete();
    await b.complete();
    const [outputA, outputB] = await Promise.all([followingA, followingB]);

    const textOf = (events: OutputEvent[]) =>
      Buffer.concat(events.flatMap((e) => (e.type === 'chunk' ? [e.data] : []))).toString();
    expect(textOf(outputA)).toBe(Array.from({ length: lines }, (_, i) => `a${i + 1}\n`).join(''));
    expect(textOf(outputB)).toBe(Array.from({ length: lines }, (_, i) => `b${i + 1}\n`).join(''));
    expect(outputA.at(-1)).toMatchObject({ type: 'end', execution: { id: a.id, exitCode: 0 } });

    // The first gateway's connections carried A's output live, and nothing at all of B.
    const executionChannels = (relay: RedisTrafficRelay) =>
      relay.deliveredChannels().filter((channel) => channel.includes(':execution.'));
    expect(executionChannels(first.relay).length).toBeGreaterThanOrEqual(lines);
    expect(executionChannels(first.relay).every((channel) => channel.endsWith(a.id))).toBe(true);
    expect(first.relay.received().includes(b.id)).toBe(false);
    expect(second.relay.received().includes(a.id)).toBe(false);
    expect(executionChannels(second.relay).every((channel) => channel.endsWith(b.id))).toBe(true);
    // The relay does see such traffic where it flows.
    const heard = executionChannels(everything.relay);
    expect(heard.filter((channel) => channel.endsWith(a.id))).toHaveLength(lines);
    expect(heard.filter((channel) => channel.endsWith(b.id))).toHaveLength(lines);
    console.info(
      `bus messages of executions: first gateway ${executionChannels(first.relay).length} (A only), subscriber of all ${heard.length}`,
    );
  });

  it('unsubscribes from an execution when its last reader leaves', async () => {
    const { bus, relay } = await watchedBus();
    const worker = await createRedisEventBus({ url: REDIS_URL, prefix });
    buses.push(worker);
    const a = await running(worker);
    const output = new ExecutionOutputService({ store, events: bus });
    const readers = [output.follow(SYSTEM_ACCESS, a.id), output.follow(SYSTEM_ACCESS, a.id)];
    await a.print('one\n');
    // Each reader gets the first chunk (replayed or live), then one leaves, then the other.
    for (const reader of readers)
      expect((await reader.next()).value).toMatchObject({ type: 'chunk', seq: 1 });
    await readers[0]!.return();
    await a.print('two\n');
    expect((await readers[1]!.next()).value).toMatchObject({ type: 'chunk', seq: 2 });
    await readers[1]!.return();
    await bus.ready();
    const before = relay.deliveredChannels().length;
    await a.print('three\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(relay.deliveredChannels().length).toBe(before);
  });
});
