/**
 * The behaviour every `EventBus` keeps, run against the real transport. Each test gets buses of
 * its own namespace, so tests do not hear each other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMap } from '../../../core/events.js';
import type { AwaitableEventBus } from '../../../events/handlers.js';
import { sleep, uniquePrefix, waitFor } from './helpers.js';

export interface EventBusConformanceOptions {
  skip?: boolean;
  /** True when two buses made with the same prefix hear each other (a real transport). */
  crossInstance?: boolean;
}

/** Opens a bus in namespace `prefix`. */
export type MakeEventBus = (prefix: string) => Promise<AwaitableEventBus>;

const status: EventMap['vm.status'] = {
  vmId: 'a5f0c1de-0000-4000-8000-000000000001',
  status: 'running',
  reason: 'booted',
};
const output: EventMap['execution.output'] = {
  executionId: 'e5f0c1de-0000-4000-8000-000000000002',
  taskId: null,
  stream: 'stdout',
  seq: 7,
  offset: 4_294_967_296,
  data: 'héllo\n\u0000"quoted"',
};

export function describeEventBusConformance(
  name: string,
  makeBus: MakeEventBus,
  options: EventBusConformanceOptions = {},
): void {
  describe.skipIf(options.skip ?? false)(`EventBus conformance: ${name}`, () => {
    const opened: AwaitableEventBus[] = [];
    async function open(prefix = uniquePrefix('ev')): Promise<AwaitableEventBus> {
      const bus = await makeBus(prefix);
      opened.push(bus);
      return bus;
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    it('delivers a published payload to every subscriber of that event only', async () => {
      const bus = await open();
      const a: unknown[] = [];
      const b: unknown[] = [];
      const other: unknown[] = [];
      bus.subscribe('vm.status', (p) => a.push(p));
      bus.subscribe('vm.status', (p) => b.push(p));
      bus.subscribe('execution.output', (p) => other.push(p));
      await bus.ready();
      await bus.publish('vm.status', status);
      await waitFor('both subscribers', () => a.length === 1 && b.length === 1);
      expect(a).toEqual([status]);
      expect(b).toEqual([status]);
      await sleep(50);
      expect(other).toEqual([]);
    });

    it('keeps the payload intact and in publish order', async () => {
      const bus = await open();
      const seen: Array<EventMap['execution.output']> = [];
      bus.subscribe('execution.output', (p) => seen.push(p));
      await bus.ready();
      for (let i = 0; i < 20; i++)
        await bus.publish('execution.output', { ...output, data: `${output.data}${i}` });
      await waitFor('all events', () => seen.length === 20);
      expect(seen.map((p) => p.data)).toEqual(Array.from({ length: 20 }, (_, i) => `${output.data}${i}`));
      expect(seen[0]).toEqual({ ...output, data: `${output.data}0` });
    });

    it('stops delivering after unsubscribe', async () => {
      const bus = await open();
      const kept: unknown[] = [];
      const dropped: unknown[] = [];
      bus.subscribe('vm.status', (p) => kept.push(p));
      const unsubscribe = bus.subscribe('vm.status', (p) => dropped.push(p));
      await bus.ready();
      unsubscribe();
      unsubscribe();
      await bus.publish('vm.status', status);
      await waitFor('the remaining subscriber', () => kept.length === 1);
      await sleep(50);
      expect(dropped).toEqual([]);
    });

    it("delivers an execution's events to its own subscribers and to those of every execution", async () => {
      const bus = await open();
      const other = { ...output, executionId: 'e5f0c1de-0000-4000-8000-000000000009', seq: 1 };
      const completed: EventMap['execution.completed'] = {
        executionId: output.executionId,
        taskId: null,
        exitCode: 0,
      };
      const mine: unknown[] = [];
      const theirs: unknown[] = [];
      const every: unknown[] = [];
      const myEnd: unknown[] = [];
      const both: unknown[] = [];
      bus.subscribeExecution('execution.output', output.executionId, (p) => mine.push(p));
      bus.subscribeExecution('execution.output', other.executionId, (p) => theirs.push(p));
      bus.subscribe('execution.output', (p) => every.push(p));
      bus.subscribeExecution('execution.completed', output.executionId, (p) => myEnd.push(p));
      const twice = (p: unknown) => both.push(p);
      bus.subscribe('execution.output', twice);
      bus.subscribeExecution('execution.output', output.executionId, twice);
      await bus.ready();
      await bus.publish('execution.output', output);
      await bus.publish('execution.output', other);
      await bus.publish('execution.completed', completed);
      await waitFor('every subscriber', () => every.length === 2 && myEnd.length === 1 && both.length === 3);
      expect(mine).toEqual([output]);
      expect(theirs).toEqual([other]);
      expect(every).toEqual([output, other]);
      expect(myEnd).toEqual([completed]);
      expect(both).toEqual(expect.arrayContaining([output, output, other]));
      await sleep(50);
      expect(mine).toHaveLength(1);
    });

    it("stops delivering an execution's events after unsubscribe, and starts again on a new subscribe", async () => {
      const bus = await open();
      const kept: unknown[] = [];
      const dropped: unknown[] = [];
      const first = bus.subscribeExecution('execution.output', output.executionId, (p) => kept.push(p));
      const unsubscribe = bus.subscribeExecution('execution.output', output.executionId, (p) =>
        dropped.push(p),
      );
      await bus.ready();
      unsubscribe();
      unsubscribe();
      await bus.publish('execution.output', output);
      await waitFor('the remaining subscriber', () => kept.length === 1);
      // The last one leaving, then a new one: the execution is heard again.
      first();
      const again: unknown[] = [];
      bus.subscribeExecution('execution.output', output.executionId, (p) => again.push(p));
      await bus.ready();
      await bus.publish('execution.output', { ...output, seq: 8 });
      await waitFor('the new subscriber', () => again.length === 1);
      await sleep(50);
      expect(dropped).toEqual([]);
      expect(kept).toEqual([output]);
    });

    it('survives a handler that throws', async () => {
      const bus = await open();
      const seen: unknown[] = [];
      bus.subscribe('vm.status', () => {
        throw new Error('buggy handler');
      });
      bus.subscribe('vm.status', (p) => seen.push(p));
      await bus.ready();
      await bus.publish('vm.status', status);
      await bus.publish('vm.status', { ...status, status: 'stopped' });
      await waitFor('both events', () => seen.length === 2);
    });

    // Only a transport between instances has this property; an in-process bus has no other instance.
    if (options.crossInstance) {
      it('reaches subscribers of another instance with the same prefix only', async () => {
        const prefix = uniquePrefix('ev');
        const publisher = await open(prefix);
        const listener = await open(prefix);
        const stranger = await open();
        const heard: unknown[] = [];
        const strangerHeard: unknown[] = [];
        listener.subscribe('task.updated', (p) => heard.push(p));
        stranger.subscribe('task.updated', (p) => strangerHeard.push(p));
        await Promise.all([listener.ready(), stranger.ready()]);
        const payload: EventMap['task.updated'] = {
          taskId: 'b5f0c1de-0000-4000-8000-000000000003',
          type: 'vm:execute',
          status: 'failed',
          error: { code: 'ERR_EXEC_TIMEOUT', message: 'took too long', retryable: false },
        };
        await publisher.publish('task.updated', payload);
        await waitFor('the other instance', () => heard.length === 1);
        expect(heard).toEqual([payload]);
        await sleep(50);
        expect(strangerHeard).toEqual([]);
      });
    }

    if (options.crossInstance) {
      it("carries an execution's events to another instance only if it subscribed to that execution", async () => {
        const prefix = uniquePrefix('ev');
        const publisher = await open(prefix);
        const listener = await open(prefix);
        const heard: unknown[] = [];
        listener.subscribeExecution('execution.output', output.executionId, (p) => heard.push(p));
        await listener.ready();
        await publisher.publish('execution.output', {
          ...output,
          executionId: 'e5f0c1de-0000-4000-8000-00000000000a',
        });
        await publisher.publish('execution.output', output);
        await waitFor('the execution subscribed to', () => heard.length === 1);
        await sleep(50);
        expect(heard).toEqual([output]);
      });
    }

    it('answers ping while open and refuses it once closed', async () => {
      const bus = await open();
      bus.subscribe('vm.status', () => {});
      await bus.ready();
      await expect(bus.ping()).resolves.toBeUndefined();
      await bus.close();
      await expect(bus.ping()).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE' });
    });

    it('publishes nothing and accepts no subscriber after close', async () => {
      const bus = await open();
      const seen: unknown[] = [];
      bus.subscribe('vm.status', (p) => seen.push(p));
      await bus.ready();
      await bus.close();
      await bus.publish('vm.status', status);
      await bus.publish('execution.output', output);
      bus.subscribe('vm.status', (p) => seen.push(p))();
      bus.subscribeExecution('execution.output', output.executionId, (p) => seen.push(p))();
      await sleep(50);
      expect(seen).toEqual([]);
    });
  });
}
