import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { WorkerRegistration } from '../../../core/worker.js';
import {
  claimedExecution,
  newCreateTask,
  newVmInput,
  outcome as ranOk,
  type SuiteContext,
} from './fixtures.js';

function registration(overrides: Partial<WorkerRegistration> = {}): WorkerRegistration {
  return {
    id: `w-${randomUUID().slice(0, 8)}`,
    host: 'host-a',
    drivers: ['process'],
    capacity: 4,
    version: '1.2.3',
    ...overrides,
  };
}

export function describeWorkerCases(ctx: SuiteContext): void {
  describe('worker registry', () => {
    it('registers a worker as active and re-registers it under the next epoch', async () => {
      const store = ctx.store();
      const first = await store.registerWorker(registration({ id: 'reg-1' }));
      expect(first).toMatchObject({
        id: 'reg-1',
        status: 'active',
        epoch: 1,
        capacity: 4,
        drivers: ['process'],
      });
      const again = await store.registerWorker(registration({ id: 'reg-1', host: 'host-b', capacity: 8 }));
      expect(again).toMatchObject({ status: 'active', epoch: 2, host: 'host-b', capacity: 8 });
      expect(await store.getWorker('reg-1')).toEqual(again);
      expect((await store.listWorkers()).map((w) => w.id)).toContain('reg-1');
    });

    it('renews only the current epoch: a replaced process learns it at its next heartbeat', async () => {
      const store = ctx.store();
      const old = await store.registerWorker(registration());
      const beat = await store.heartbeatWorker(old.id, old.epoch, { activeTasks: 3, status: 'active' });
      expect(beat?.activeTasks).toBe(3);
      expect(beat!.lastHeartbeatAt.getTime()).toBeGreaterThanOrEqual(old.lastHeartbeatAt.getTime());
      const replacement = await store.registerWorker(registration({ id: old.id }));
      expect(await store.heartbeatWorker(old.id, old.epoch, { activeTasks: 0, status: 'active' })).toBeNull();
      expect(
        await store.heartbeatWorker(old.id, replacement.epoch, { activeTasks: 1, status: 'draining' }),
      ).toMatchObject({ status: 'draining', activeTasks: 1 });
    });

    it('reaps only heartbeating workers silent past the grace, once', async () => {
      const store = ctx.store();
      const silent = await store.registerWorker(registration());
      const stopped = await store.registerWorker(registration());
      await store.setWorkerStatus(stopped.id, stopped.epoch, 'stopped', 'graceful stop');
      await sleep(60);
      const fresh = await store.registerWorker(registration());
      const reaped = (await store.reapSilentWorkers(50)).map((w) => w.id);
      expect(reaped).toContain(silent.id);
      expect(reaped).not.toContain(fresh.id);
      expect(reaped).not.toContain(stopped.id);
      expect((await store.reapSilentWorkers(50)).map((w) => w.id)).not.toContain(silent.id);
      const dead = await store.getWorker(silent.id);
      expect(dead).toMatchObject({ status: 'dead' });
      // A dead worker's heartbeat is refused; registering again revives it.
      expect(
        await store.heartbeatWorker(silent.id, silent.epoch, { activeTasks: 0, status: 'active' }),
      ).toBeNull();
      expect(await store.registerWorker(registration({ id: silent.id }))).toMatchObject({
        status: 'active',
        epoch: silent.epoch + 1,
      });
    });
  });

  describe('fencing', () => {
    it('bumps the fencing token on each claim and refuses writes from an older one', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const task = await store.insertTask(newCreateTask(vm.id));
      expect(task.fencingToken).toBe(0);
      const claim = () =>
        store.transitionTask(
          task.id,
          { from: ['pending', 'processing'], to: 'processing', reason: 'claim' },
          { newAttempt: true },
        );
      const first = await claim();
      expect(first?.fencingToken).toBe(1);
      const second = await claim();
      expect(second?.fencingToken).toBe(2);
      const complete = (fencingToken: number) =>
        store.transitionTask(task.id, {
          from: ['processing'],
          to: 'completed',
          reason: 'done',
          fencingToken,
        });
      expect(await complete(1)).toBeNull();
      expect((await store.getTask(task.id))?.status).toBe('processing');
      expect(await complete(2)).toMatchObject({
        status: 'completed',
        fencingToken: 2,
      });
    });

    it('completes an execution once, and only for the attempt that holds its task', async () => {
      const store = ctx.store();
      const { execution, task: claimed, fence: current } = await claimedExecution(store);
      const outcome = ranOk({ exitCode: 0 });
      const stale = { taskId: claimed.id, fencingToken: claimed.fencingToken - 1 };
      expect(await store.completeExecution(execution.id, outcome, stale)).toBeNull();
      expect((await store.getExecution(execution.id))?.completedAt).toBeNull();
      expect(await store.completeExecution(execution.id, outcome, current)).toMatchObject({ exitCode: 0 });
      expect(await store.completeExecution(execution.id, { ...outcome, exitCode: 7 }, current)).toBeNull();
      expect(await store.completeExecution(execution.id, { ...outcome, exitCode: 7 })).toBeNull();
      expect((await store.getExecution(execution.id))?.exitCode).toBe(0);
    });

    it('filters tasks by worker', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const task = await store.insertTask(newCreateTask(vm.id));
      const workerId = `w-${randomUUID().slice(0, 8)}`;
      await store.transitionTask(
        task.id,
        { from: ['pending'], to: 'processing', reason: 'claim' },
        { workerId },
      );
      expect((await store.listTasks({ workerId })).map((t) => t.id)).toEqual([task.id]);
    });
  });
}
