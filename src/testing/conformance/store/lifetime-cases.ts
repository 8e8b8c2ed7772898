import { describe, expect, it } from 'vitest';
import type { Store } from '../../../core/store.js';
import type { VmRecord } from '../../../core/vm.js';
import type { VmLifetimeRequest } from '../../../core/vm-lifetime.js';
import { newExecutionInput, newVmInput, outcome, type SuiteContext } from './fixtures.js';

/** Past a deadline of 1 s, with room for the database's clock to move on. */
const pastOneSecond = () => new Promise((resolve) => setTimeout(resolve, 1_100));

async function runningVm(store: Store, lifetime: Partial<VmLifetimeRequest>): Promise<VmRecord> {
  const vm = await store.insertVm(
    newVmInput({ lifetime: { ttlSeconds: null, idleTimeoutSeconds: null, onExpiry: 'stop', ...lifetime } }),
  );
  const running = await store.transitionVm(
    vm.id,
    { from: ['pending'], to: 'running', reason: 'test' },
    { startedAt: new Date() },
  );
  return running!;
}

async function expiredKind(store: Store, vmId: string): Promise<string | undefined> {
  return (await store.listExpiredVms(1000)).find((expired) => expired.vm.id === vmId)?.kind;
}

export function describeLifetimeCases(ctx: SuiteContext): void {
  describe('VM lifetimes', () => {
    it('keeps a lifetime at insert, at the database clock; a VM without one has none', async () => {
      const store = ctx.store();
      const before = Date.now();
      const vm = await store.insertVm(
        newVmInput({ lifetime: { ttlSeconds: 600, idleTimeoutSeconds: 60, onExpiry: 'delete' } }),
      );
      expect(vm.lifetime).toMatchObject({ ttlSeconds: 600, idleTimeoutSeconds: 60, onExpiry: 'delete' });
      const expiresIn = vm.lifetime.expiresAt!.getTime() - before;
      expect(expiresIn).toBeGreaterThan(590_000);
      expect(expiresIn).toBeLessThan(660_000);
      expect(await store.getVm(vm.id)).toEqual(vm);
      const plain = await store.insertVm(newVmInput());
      expect(plain.lifetime).toEqual({
        ttlSeconds: null,
        expiresAt: null,
        idleTimeoutSeconds: null,
        lastActiveAt: null,
        onExpiry: 'stop',
      });
    });

    it('lists a running VM past its lifetime as ttl, and lets one claim end it', async () => {
      const store = ctx.store();
      const vm = await runningVm(store, { ttlSeconds: 1 });
      expect(await expiredKind(store, vm.id)).toBeUndefined();
      await pastOneSecond();
      expect(await expiredKind(store, vm.id)).toBe('ttl');
      const claimed = await store.claimVmExpiry(vm.id, 'ttl', 'ttl: lifetime of 1s reached');
      expect(claimed).toMatchObject({ status: 'stopping', statusReason: 'ttl: lifetime of 1s reached' });
      // Every other node's claim of the same expiry changes nothing.
      expect(await store.claimVmExpiry(vm.id, 'ttl', 'again')).toBeNull();
      expect(await expiredKind(store, vm.id)).toBeUndefined();
      expect((await store.listStateChanges(vm.id)).at(-1)).toMatchObject({ from: 'running', to: 'stopping' });
    });

    it('lists a stopped VM past its lifetime only when its expiry deletes it', async () => {
      const store = ctx.store();
      const kept = await runningVm(store, { ttlSeconds: 1, onExpiry: 'stop' });
      const dropped = await runningVm(store, { ttlSeconds: 1, onExpiry: 'delete' });
      for (const vm of [kept, dropped]) {
        await store.transitionVm(vm.id, { from: ['running'], to: 'stopped', reason: 'test' });
      }
      await pastOneSecond();
      expect(await expiredKind(store, kept.id)).toBeUndefined();
      expect(await store.claimVmExpiry(kept.id, 'ttl', 'ttl: x')).toBeNull();
      expect(await expiredKind(store, dropped.id)).toBe('ttl');
      expect(await store.claimVmExpiry(dropped.id, 'ttl', 'ttl: x')).toMatchObject({ status: 'stopping' });
    });

    it('holds the idle clock while an execution is open and restarts it on activity', async () => {
      const store = ctx.store();
      const vm = await runningVm(store, { idleTimeoutSeconds: 1 });
      const execution = await store.insertExecution(newExecutionInput(vm.id));
      await pastOneSecond();
      expect(await expiredKind(store, vm.id)).toBeUndefined();
      expect(await store.claimVmExpiry(vm.id, 'idle', 'idle: x')).toBeNull();
      await store.recordVmActivity(vm.id);
      await store.completeExecution(execution.id, outcome());
      expect(await expiredKind(store, vm.id)).toBeUndefined();
      await pastOneSecond();
      expect(await expiredKind(store, vm.id)).toBe('idle');
      expect(await store.claimVmExpiry(vm.id, 'ttl', 'ttl: x')).toBeNull();
      expect(await store.claimVmExpiry(vm.id, 'idle', 'idle: no activity for 1s')).toMatchObject({
        status: 'stopping',
        statusReason: 'idle: no activity for 1s',
      });
    });

    it('extends a lifetime from its deadline, or from now once passed; only a VM with one', async () => {
      const store = ctx.store();
      const vm = await runningVm(store, { ttlSeconds: 1 });
      await pastOneSecond();
      const before = Date.now();
      const extended = await store.extendVmLifetime(vm.id, 3600, ['running']);
      const moved = extended!.lifetime.expiresAt!.getTime() - before;
      expect(moved).toBeGreaterThan(3_590_000);
      expect(moved).toBeLessThan(3_660_000);
      expect(await expiredKind(store, vm.id)).toBeUndefined();
      const again = await store.extendVmLifetime(vm.id, 60, ['running']);
      expect(again!.lifetime.expiresAt!.getTime() - extended!.lifetime.expiresAt!.getTime()).toBe(60_000);
      expect(await store.extendVmLifetime(vm.id, 60, ['stopped'])).toBeNull();
      const unlimited = await runningVm(store, {});
      expect(await store.extendVmLifetime(unlimited.id, 60, ['running'])).toBeNull();
    });

    it('renews a lifetime that ran out, and only such a one, when asked', async () => {
      const store = ctx.store();
      const vm = await runningVm(store, { ttlSeconds: 1 });
      const long = await runningVm(store, { ttlSeconds: 600 });
      await pastOneSecond();
      const renewed = await store.updateVm(vm.id, { renewExpiredLifetime: true });
      expect(renewed!.lifetime.expiresAt!.getTime()).toBeGreaterThan(Date.now());
      const kept = await store.updateVm(long.id, { renewExpiredLifetime: true });
      expect(kept!.lifetime.expiresAt).toEqual(long.lifetime.expiresAt);
    });
  });
}
