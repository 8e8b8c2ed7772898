/** The live feed on the in-process bus, with a store that counts its reads. */
import { describe, expect, it } from 'vitest';
import { isAetherError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { LiveEvent, LiveEventType, LiveFeedReady } from '../../core/live-events.js';
import type { Access } from '../../core/principal.js';
import type { TaskRecord } from '../../core/task.js';
import { createLocalEventBus } from '../../events/local/local-event-bus.js';
import { publishTask, publishVm } from '../publish.js';
import { LiveEventService } from './live-event-service.js';

const USER: Access = { project: 'alice', all: false };
const ADMIN: Access = { project: 'default', all: true };

function fakeStore(
  vms: Record<string, string>,
  tasks: Record<string, { project: string; vmId: string | null }>,
) {
  const reads: string[] = [];
  return {
    reads,
    store: {
      getVm: async (id: string) => {
        reads.push(`vm ${id}`);
        return vms[id] ? ({ id, project: vms[id] } as never) : null;
      },
      getTask: async (id: string) => {
        reads.push(`task ${id}`);
        return tasks[id] ? ({ id, ...tasks[id] } as never) : null;
      },
    },
  };
}

function feedOf(
  service: LiveEventService,
  access: Access,
  types: LiveEventType[],
  options: { maxPending?: number; onOverflow?: () => void } = {},
) {
  const stop = new AbortController();
  const feed = service.follow(access, {
    types: new Set(types),
    signal: stop.signal,
    maxPending: options.maxPending ?? 100,
    onOverflow: options.onOverflow ?? (() => {}),
  });
  const next = async (): Promise<LiveEvent | LiveFeedReady | undefined> =>
    (await feed.next()).value ?? undefined;
  return { feed, next, stop };
}

const vmEvent = (bus: EventBus, vmId: string, reason = 'test') =>
  publishVm(bus, { id: vmId, status: 'running' }, reason);

describe('the live event feed', () => {
  it("shows a project its own VMs' changes, reading each VM's project once", async () => {
    const bus = createLocalEventBus();
    const { store, reads } = fakeStore({ 'vm-a': 'alice', 'vm-b': 'bob' }, {});
    const service = new LiveEventService({ store, events: bus });
    const { next, stop } = feedOf(service, USER, ['vm']);
    expect(await next()).toEqual({ type: 'ready' });
    await vmEvent(bus, 'vm-b');
    await vmEvent(bus, 'vm-gone');
    await vmEvent(bus, 'vm-a', 'first');
    await vmEvent(bus, 'vm-a', 'second');
    expect(await next()).toMatchObject({ type: 'vm', vmId: 'vm-a', reason: 'first' });
    expect(await next()).toMatchObject({ type: 'vm', vmId: 'vm-a', reason: 'second' });
    expect(reads).toEqual(['vm vm-b', 'vm vm-gone', 'vm vm-a']);
    stop.abort();
    expect(await next()).toBeUndefined();
  });

  it('shows admins every VM, known to the store or not, without reading it', async () => {
    const bus = createLocalEventBus();
    const { store, reads } = fakeStore({}, {});
    const { next } = feedOf(new LiveEventService({ store, events: bus }), ADMIN, ['vm']);
    await next();
    await vmEvent(bus, 'vm-gone');
    expect(await next()).toMatchObject({ type: 'vm', vmId: 'vm-gone', status: 'running' });
    expect(reads).toEqual([]);
  });

  it("gives a task's VM and project from the record it carries, else from the store", async () => {
    const bus = createLocalEventBus();
    const { store, reads } = fakeStore({}, { 't-stored': { project: 'alice', vmId: 'vm-s' } });
    const { next } = feedOf(new LiveEventService({ store, events: bus }), USER, ['task']);
    await next();
    const record = { id: 't-local', project: 'alice', vmId: 'vm-l', fencingToken: 1 } as TaskRecord;
    await publishTask(bus, { ...record, type: 'vm:execute', status: 'processing', error: null });
    await publishTask(bus, {
      id: 't-stored',
      type: 'vm:execute',
      status: 'failed',
      error: { code: 'ERR_EXEC_TIMEOUT', message: 'slow', retryable: false },
    });
    await publishTask(bus, { id: 't-unknown', type: 'vm:create', status: 'completed', error: null });
    expect(await next()).toMatchObject({ taskId: 't-local', vmId: 'vm-l', errorCode: null });
    expect(await next()).toMatchObject({ taskId: 't-stored', vmId: 'vm-s', errorCode: 'ERR_EXEC_TIMEOUT' });
    // The unknown task is not alice's to see: the next she gets is the later change of her own.
    await publishTask(bus, { ...record, type: 'vm:execute', status: 'completed', error: null });
    expect(await next()).toMatchObject({ taskId: 't-local', status: 'completed' });
    expect(reads).toEqual(['task t-stored', 'task t-unknown']);
  });

  it('gives worker events to admins only', async () => {
    const service = new LiveEventService({ store: fakeStore({}, {}).store, events: createLocalEventBus() });
    expect([...service.typesFor(USER)]).toEqual(['vm', 'task']);
    expect([...service.typesFor(ADMIN)]).toEqual(['vm', 'task', 'worker']);
    expect([...service.typesFor(USER, ['task'])]).toEqual(['task']);
    let refused: unknown;
    try {
      service.typesFor(USER, ['vm', 'worker']);
    } catch (error) {
      refused = error;
    }
    expect(isAetherError(refused, 'ERR_FORBIDDEN')).toBe(true);
  });

  it('fails, and says so at once, when its reader falls too far behind', async () => {
    const bus = createLocalEventBus();
    let overflows = 0;
    const { next, feed } = feedOf(
      new LiveEventService({ store: fakeStore({}, {}).store, events: bus }),
      ADMIN,
      ['worker'],
      {
        maxPending: 3,
        onOverflow: () => overflows++,
      },
    );
    await next();
    for (let epoch = 0; epoch < 6; epoch++)
      await bus.publish('worker.joined', { workerId: 'w', epoch, host: 'h' });
    expect(overflows).toBe(1);
    await expect(feed.next()).rejects.toMatchObject({ code: 'ERR_RATE_LIMITED' });
  });
});
