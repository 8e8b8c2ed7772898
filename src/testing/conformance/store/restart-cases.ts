import { describe, expect, it } from 'vitest';
import type { Store } from '../../../core/store.js';
import type { VmRecord } from '../../../core/vm.js';
import type { VmRestartRequest } from '../../../core/vm-restart.js';
import { newVmInput, type SuiteContext } from './fixtures.js';

async function runningVm(store: Store, restart?: VmRestartRequest): Promise<VmRecord> {
  const vm = await store.insertVm(newVmInput(restart ? { restart } : {}));
  const running = await store.transitionVm(
    vm.id,
    { from: ['pending'], to: 'running', reason: 'test' },
    { startedAt: new Date('2030-01-01T00:00:00.123Z') },
  );
  return running!;
}

const seenOf = (vm: VmRecord) => ({ startedAt: vm.startedAt, restarts: vm.restart.count });

export function describeRestartCases(ctx: SuiteContext): void {
  describe('VM restart policies', () => {
    it('keeps the policy at insert; a VM without one is never restarted', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput({ restart: { policy: 'on-failure', max: 5 } }));
      expect(vm.restart).toEqual({ policy: 'on-failure', max: 5, count: 0 });
      expect(await store.getVm(vm.id)).toEqual(vm);
      expect((await store.insertVm(newVmInput())).restart).toEqual({ policy: 'never', max: 0, count: 0 });
    });

    it('claims a restart once per death: counted, reason set, a new start at the database clock', async () => {
      const store = ctx.store();
      const vm = await runningVm(store, { policy: 'on-failure', max: 2 });
      const before = Date.now();
      const claimed = await store.claimVmRestart(vm.id, seenOf(vm), 'restarted: x (restart 1 of 2)');
      expect(claimed).toMatchObject({
        status: 'running',
        statusReason: 'restarted: x (restart 1 of 2)',
        restart: { policy: 'on-failure', max: 2, count: 1 },
      });
      expect(claimed!.startedAt!.getTime()).toBeGreaterThan(before - 60_000);
      expect(claimed!.startedAt!.getTime()).not.toBe(vm.startedAt!.getTime());
      // A second look at the same death claims nothing.
      expect(await store.claimVmRestart(vm.id, seenOf(vm), 'again')).toBeNull();
      // The running → running change is in the log, with its reason.
      expect((await store.listStateChanges(vm.id)).at(-1)).toMatchObject({
        from: 'running',
        to: 'running',
        reason: 'restarted: x (restart 1 of 2)',
      });
      // The next death is seen at the new start: its claim applies, then the limit holds.
      const second = await store.claimVmRestart(vm.id, seenOf(claimed!), 'restarted: y (restart 2 of 2)');
      expect(second?.restart.count).toBe(2);
      expect(await store.claimVmRestart(vm.id, seenOf(second!), 'too many')).toBeNull();
      expect((await store.getVm(vm.id))?.restart.count).toBe(2);
    });

    it('claims nothing for a VM that is never restarted, or no longer running', async () => {
      const store = ctx.store();
      const never = await runningVm(store);
      expect(await store.claimVmRestart(never.id, seenOf(never), 'no')).toBeNull();
      const vm = await runningVm(store, { policy: 'on-failure', max: 3 });
      await store.transitionVm(vm.id, { from: ['running'], to: 'stopping', reason: 'user: stop requested' });
      expect(await store.claimVmRestart(vm.id, seenOf(vm), 'no')).toBeNull();
      expect((await store.getVm(vm.id))?.restart.count).toBe(0);
    });
  });
}
