import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import {
  clockTick,
  expectCode,
  expectRecent,
  newVmInput,
  type SuiteContext,
  uniqueName,
} from './fixtures.js';

export function describeVmCases(ctx: SuiteContext): void {
  describe('VMs', () => {
    it('inserts a VM with lifecycle defaults and reads it back by id and name', async () => {
      const store = ctx.store();
      const input = newVmInput({ vcpus: 2, memoryMiB: 512, metadata: { owner: 'ci' } });
      const vm = await store.insertVm(input);
      expect(vm).toMatchObject({
        ...input,
        status: 'pending',
        statusReason: null,
        image: null,
        network: false,
        workerId: null,
        isolation: null,
        startedAt: null,
        stoppedAt: null,
      });
      expectRecent(vm.createdAt);
      expectRecent(vm.updatedAt);
      expect(await store.getVm(vm.id)).toEqual(vm);
      expect(await store.findVm(vm.id)).toEqual(vm);
      expect(await store.findVm(vm.name)).toEqual(vm);
    });

    it('round-trips image and network; updates and transitions leave them alone', async () => {
      const store = ctx.store();
      const input = newVmInput({ driver: 'docker', image: 'python:3.12-slim', network: true });
      const vm = await store.insertVm(input);
      expect(vm).toMatchObject({ driver: 'docker', image: 'python:3.12-slim', network: true });
      expect(await store.getVm(vm.id)).toEqual(vm);
      expect(await store.findVm(vm.name)).toEqual(vm);
      expect((await store.listVms({ includeDeleted: true })).find((v) => v.id === vm.id)).toEqual(vm);
      const moved = await store.transitionVm(
        vm.id,
        { from: ['pending'], to: 'creating', reason: 'worker picked it up' },
        { workerId: 'w1' },
      );
      expect(moved).toMatchObject({ image: 'python:3.12-slim', network: true });
      expect(await store.updateVm(vm.id, { isolation: null })).toMatchObject({
        image: 'python:3.12-slim',
        network: true,
      });

      const explicitNone = await store.insertVm(newVmInput({ image: null, network: false }));
      expect(explicitNone).toMatchObject({ image: null, network: false });
      expect(await store.getVm(explicitNone.id)).toEqual(explicitNone);
    });

    it('returns null for unknown ids and names, including strings that are not uuids', async () => {
      const store = ctx.store();
      expect(await store.getVm(newId())).toBeNull();
      expect(await store.getVm('not-a-uuid')).toBeNull();
      expect(await store.findVm(newId())).toBeNull();
      expect(await store.findVm(uniqueName())).toBeNull();
      expect(await store.findVm("'; drop table vms; --")).toBeNull();
    });

    it('finds a VM named like a uuid by name when no VM has that id', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput({ name: newId() }));
      expect((await store.findVm(vm.name))?.id).toBe(vm.id);
    });

    it('refuses a second live VM with the same name: ERR_VM_NAME_TAKEN, nothing written', async () => {
      const store = ctx.store();
      const first = await store.insertVm(newVmInput());
      const second = newVmInput({ name: first.name });
      await expectCode(store.insertVm(second), 'ERR_VM_NAME_TAKEN');
      expect(await store.getVm(second.id)).toBeNull();
    });

    it('frees the name of a deleted VM; the deleted row stays readable by id', async () => {
      const store = ctx.store();
      const old = await store.insertVm(newVmInput());
      await store.transitionVm(old.id, { from: ['pending'], to: 'deleted', reason: 'user deleted' });
      const reused = await store.insertVm(newVmInput({ name: old.name }));
      expect((await store.findVm(old.name))?.id).toBe(reused.id);
      expect((await store.getVm(old.id))?.status).toBe('deleted');
      expect((await store.findVm(old.id))?.status).toBe('deleted');
    });

    it('lists VMs newest first, filtered by worker, status and limit; deleted only on request', async () => {
      const store = ctx.store();
      const workerId = uniqueName('worker');
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        await clockTick();
        const vm = await store.insertVm(newVmInput());
        await store.updateVm(vm.id, { workerId });
        ids.push(vm.id);
      }
      const [a, b, c, d] = ids as [string, string, string, string];
      await store.transitionVm(b, { from: ['pending'], to: 'creating', reason: 'worker picked it up' });
      await store.transitionVm(d, { from: ['pending'], to: 'deleted', reason: 'cancelled' });

      expect((await store.listVms({ workerId })).map((v) => v.id)).toEqual([c, b, a]);
      expect((await store.listVms({ workerId, includeDeleted: true })).map((v) => v.id)).toEqual([
        d,
        c,
        b,
        a,
      ]);
      expect((await store.listVms({ workerId, status: ['creating'] })).map((v) => v.id)).toEqual([b]);
      expect((await store.listVms({ workerId, status: ['deleted'] })).map((v) => v.id)).toEqual([d]);
      expect((await store.listVms({ workerId, limit: 2 })).map((v) => v.id)).toEqual([c, b]);
      expect(await store.listVms({ workerId: uniqueName('nobody') })).toEqual([]);
      const all = await store.listVms();
      expect(all.some((v) => v.id === a)).toBe(true);
      expect(all.some((v) => v.status === 'deleted')).toBe(false);
    });

    it('counts VMs per status and driver in every project, deleted ones left out', async () => {
      const store = ctx.store();
      const tally = async () => {
        const counts = new Map<string, number>();
        for (const c of await store.countVms()) {
          expect(c.count).toBeGreaterThan(0);
          counts.set(`${c.status}/${c.driver}`, c.count);
        }
        return counts;
      };
      const before = await tally();
      const made = await Promise.all([
        store.insertVm(newVmInput({ driver: 'process' })),
        store.insertVm(newVmInput({ driver: 'process', project: 'other-team' })),
        store.insertVm(newVmInput({ driver: 'process' })),
        store.insertVm(newVmInput({ driver: 'docker' })),
        store.insertVm(newVmInput({ driver: 'docker' })),
      ]);
      await store.transitionVm(made[2]!.id, { from: ['pending'], to: 'creating', reason: 'picked up' });
      await store.transitionVm(made[4]!.id, { from: ['pending'], to: 'deleted', reason: 'not needed' });
      const after = await tally();
      const grown = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
      expect(grown('pending/process')).toBe(2);
      expect(grown('creating/process')).toBe(1);
      expect(grown('pending/docker')).toBe(1);
      expect([...after.keys()].some((key) => key.startsWith('deleted/'))).toBe(false);
    });

    it('updates a VM patch without touching its status; null clears, undefined keeps', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const isolation = {
        level: 'namespaces',
        kernel: 'shared' as const,
        summary: 'pid, mount, net namespaces',
      };
      const startedAt = new Date('2030-01-02T03:04:05.678Z');
      const updated = await store.updateVm(vm.id, { workerId: 'w1', isolation, startedAt });
      expect(updated).toMatchObject({ status: 'pending', workerId: 'w1', isolation, startedAt });
      expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(vm.updatedAt.getTime());
      const cleared = await store.updateVm(vm.id, { isolation: null });
      expect(cleared).toMatchObject({ workerId: 'w1', isolation: null, startedAt });
      expect(await store.updateVm(newId(), { workerId: 'w1' })).toBeNull();
    });
  });
}
