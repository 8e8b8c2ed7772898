import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import { newCreateTask, newVmInput, type SuiteContext } from './fixtures.js';

export function describeTransitionCases(ctx: SuiteContext): void {
  describe('transitions (compare-and-set)', () => {
    it('applies a VM transition with its patch and logs it with the reason', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const startedAt = new Date('2030-05-06T07:08:09.010Z');
      const creating = await store.transitionVm(
        vm.id,
        { from: ['pending'], to: 'creating', reason: 'worker w1 took it' },
        { workerId: 'w1' },
      );
      expect(creating).toMatchObject({
        status: 'creating',
        statusReason: 'worker w1 took it',
        workerId: 'w1',
      });
      const running = await store.transitionVm(
        vm.id,
        { from: ['creating'], to: 'running', reason: 'booted' },
        { startedAt },
      );
      expect(running).toMatchObject({ status: 'running', statusReason: 'booted', workerId: 'w1', startedAt });
      expect(running!.updatedAt.getTime()).toBeGreaterThanOrEqual(vm.updatedAt.getTime());
      expect(await store.getVm(vm.id)).toEqual(running);

      const log = await store.listStateChanges(vm.id);
      expect(
        log.map(({ entity, entityId, from, to, reason }) => ({ entity, entityId, from, to, reason })),
      ).toEqual([
        { entity: 'vm', entityId: vm.id, from: 'pending', to: 'creating', reason: 'worker w1 took it' },
        { entity: 'vm', entityId: vm.id, from: 'creating', to: 'running', reason: 'booted' },
      ]);
      for (const change of log) expect(change.at).toBeInstanceOf(Date);
    });

    it('refuses a transition whose from-status does not match: null, nothing changed or logged', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const refused = await store.transitionVm(
        vm.id,
        { from: ['running', 'creating'], to: 'stopping', reason: 'stop' },
        { workerId: 'w9' },
      );
      expect(refused).toBeNull();
      expect(await store.getVm(vm.id)).toEqual(vm);
      expect(await store.listStateChanges(vm.id)).toEqual([]);
      expect(
        await store.transitionVm(newId(), { from: ['pending'], to: 'creating', reason: 'x' }),
      ).toBeNull();
      expect(await store.transitionVm('nope', { from: ['pending'], to: 'creating', reason: 'x' })).toBeNull();
      expect(await store.transitionVm(vm.id, { from: [], to: 'creating', reason: 'x' })).toBeNull();
    });

    it('lets exactly one of several racing transitions win', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          store.transitionVm(
            vm.id,
            { from: ['pending'], to: 'creating', reason: `racer ${i}` },
            { workerId: `w${i}` },
          ),
        ),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const log = await store.listStateChanges(vm.id);
      expect(log).toHaveLength(1);
      expect(log[0]!.reason).toBe(winners[0]!.statusReason);
      expect((await store.getVm(vm.id))?.workerId).toBe(winners[0]!.workerId);
    });

    it('walks a task through processing to completed with result, refusing moves out of a terminal state', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const task = await store.insertTask(newCreateTask(vm.id));
      const startedAt = new Date();
      const processing = await store.transitionTask(
        task.id,
        { from: ['pending'], to: 'processing', reason: 'picked up' },
        { workerId: 'w1', startedAt },
      );
      expect(processing).toMatchObject({
        status: 'processing',
        statusReason: 'picked up',
        workerId: 'w1',
        startedAt,
      });
      const result = { vmId: vm.id, status: 'running' };
      const completed = await store.transitionTask(
        task.id,
        { from: ['processing'], to: 'completed', reason: 'done' },
        { result, completedAt: new Date() },
      );
      expect(completed).toMatchObject({ status: 'completed', result, error: null });
      expect(completed!.completedAt).toBeInstanceOf(Date);
      expect(
        await store.transitionTask(task.id, {
          from: ['pending', 'processing'],
          to: 'failed',
          reason: 'late',
        }),
      ).toBeNull();
      const log = await store.listStateChanges(task.id);
      expect(log.map((c) => [c.entity, c.from, c.to, c.reason])).toEqual([
        ['task', 'pending', 'processing', 'picked up'],
        ['task', 'processing', 'completed', 'done'],
      ]);
    });

    it('records a retry and a failure with its wire error', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const task = await store.insertTask(newCreateTask(vm.id));
      await store.transitionTask(task.id, { from: ['pending'], to: 'processing', reason: 'attempt 1' });
      const retried = await store.transitionTask(
        task.id,
        { from: ['processing'], to: 'pending', reason: 'retrying after boot timeout' },
        { retryCount: 1, workerId: null },
      );
      expect(retried).toMatchObject({ status: 'pending', retryCount: 1, workerId: null });
      await store.transitionTask(task.id, { from: ['pending'], to: 'processing', reason: 'attempt 2' });
      const error = {
        code: 'ERR_VM_BOOT_TIMEOUT' as const,
        message: 'guest did not answer in 30 s',
        retryable: true,
        details: { attempt: 2, console: ['line 1', 'line 2'] },
      };
      const failed = await store.transitionTask(
        task.id,
        { from: ['processing'], to: 'failed', reason: 'boot timeout' },
        { error, completedAt: new Date() },
      );
      expect(failed).toMatchObject({ status: 'failed', error, result: null, retryCount: 1 });
      expect(await store.listStateChanges(task.id)).toHaveLength(4);
    });
  });
}
