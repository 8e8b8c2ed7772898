import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../test/support/memory-store.js';
import { newId } from '../core/ids.js';
import { silentLogger } from '../core/logger.js';
import type { Store } from '../core/store.js';
import { TASK_POLICIES, TASK_TYPES, type TaskType } from '../core/task.js';
import { createLocalEventBus } from '../events/local/local-event-bus.js';
import { createLocalQueue } from '../queue/local/local-queue.js';
import { newVmInput } from '../testing/conformance/store/fixtures.js';
import { expireVms } from './expiry.js';
import type { ServiceDeps } from './service-context.js';

const timeouts = Object.fromEntries(TASK_TYPES.map((t) => [t, TASK_POLICIES[t].timeoutMs])) as Record<
  TaskType,
  number
>;

describe('the expiry loop', () => {
  let store: Store;
  let deps: ServiceDeps;
  beforeAll(async () => {
    store = await openMemoryStore();
    deps = {
      store,
      queue: createLocalQueue({ prefix: `expiry-${newId()}` }),
      events: createLocalEventBus(),
      logger: silentLogger,
    };
  });
  afterAll(async () => {
    await deps.queue.close();
    await store.close();
  });

  async function expiredVm(onExpiry: 'stop' | 'delete') {
    const vm = await store.insertVm(
      newVmInput({ lifetime: { ttlSeconds: 1, idleTimeoutSeconds: null, onExpiry } }),
    );
    await store.transitionVm(vm.id, { from: ['pending'], to: 'running', reason: 'test' }, { workerId: 'w1' });
    return vm;
  }

  it('claims each expiry once across nodes running at once, and queues its stop or delete', async () => {
    const stops = await expiredVm('stop');
    const deletes = await expiredVm('delete');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Three nodes' passes at the same instant.
    const outcomes = await Promise.all([1, 2, 3].map(() => expireVms(deps, { timeouts })));
    expect(outcomes.reduce((sum, o) => sum + o.ended, 0)).toBe(2);
    for (const [vm, type] of [
      [stops, 'vm:stop'],
      [deletes, 'vm:delete'],
    ] as const) {
      expect(await store.getVm(vm.id)).toMatchObject({
        status: 'stopping',
        statusReason: 'ttl: lifetime of 1s reached',
      });
      const tasks = await store.listTasks({ vmId: vm.id });
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({
        type,
        payload: { vmId: vm.id, reason: 'ttl: lifetime of 1s reached' },
      });
      expect(await deps.queue.has(tasks[0]!.id, 'worker-w1')).toBe(true);
    }
    // A later pass finds nothing left to do.
    expect(await expireVms(deps, { timeouts })).toEqual({ ended: 0, redispatched: 0 });
  });
});
