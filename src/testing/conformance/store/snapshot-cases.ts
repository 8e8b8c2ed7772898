import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import type { NewSnapshot } from '../../../core/snapshot.js';
import { clockTick, expectRecent, newVmInput, type SuiteContext } from './fixtures.js';

function newSnapshotInput(sourceVmId: string, overrides: Partial<NewSnapshot> = {}): NewSnapshot {
  return {
    id: newId(),
    project: 'default',
    sourceVmId,
    driver: 'qemu',
    workerId: 'w-snap',
    image: null,
    vcpus: 1,
    memoryMiB: 256,
    ...overrides,
  };
}

export function describeSnapshotCases(ctx: SuiteContext): void {
  describe('snapshots', () => {
    it('records a snapshot as pending and reads it back', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const input = newSnapshotInput(vm.id, { project: vm.project });
      const snapshot = await store.insertSnapshot(input);
      expect(snapshot).toMatchObject({
        ...input,
        statePath: null,
        sizeBytes: null,
        status: 'pending',
        statusReason: null,
      });
      expectRecent(snapshot.createdAt);
      expect(await store.getSnapshot(snapshot.id)).toEqual(snapshot);
      expect(await store.getSnapshot(newId())).toBeNull();
      expect(await store.getSnapshot('not-a-uuid')).toBeNull();
    });

    it('writes the outcome once: a ready snapshot never turns failed', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const snapshot = await store.insertSnapshot(newSnapshotInput(vm.id));
      const ready = await store.completeSnapshot(snapshot.id, {
        status: 'ready',
        statePath: '/data/snapshots/x',
        sizeBytes: 5 * 1024 ** 3,
      });
      expect(ready).toMatchObject({
        status: 'ready',
        statePath: '/data/snapshots/x',
        sizeBytes: 5 * 1024 ** 3,
      });
      expect(
        await store.completeSnapshot(snapshot.id, { status: 'failed', statusReason: 'late' }),
      ).toBeNull();
      expect((await store.getSnapshot(snapshot.id))?.status).toBe('ready');
      expect(await store.completeSnapshot(newId(), { status: 'failed' })).toBeNull();
    });

    it('deletes by compare-and-set and keeps the deleted one as history', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const snapshot = await store.insertSnapshot(newSnapshotInput(vm.id));
      // A pending snapshot is still saving: not deletable.
      expect(
        await store.transitionSnapshot(snapshot.id, {
          from: ['ready', 'failed'],
          to: 'deleting',
          reason: 'r',
        }),
      ).toBeNull();
      await store.completeSnapshot(snapshot.id, { status: 'ready' });
      const deleting = await store.transitionSnapshot(snapshot.id, {
        from: ['ready', 'failed'],
        to: 'deleting',
        reason: 'asked',
      });
      expect(deleting).toMatchObject({ status: 'deleting', statusReason: 'asked' });
      // The save's outcome can no longer land on it.
      expect(await store.completeSnapshot(snapshot.id, { status: 'ready' })).toBeNull();
      expect(
        await store.transitionSnapshot(snapshot.id, {
          from: ['deleting'],
          to: 'deleted',
          reason: 'files removed',
        }),
      ).toMatchObject({ status: 'deleted' });
      expect((await store.getSnapshot(snapshot.id))?.status).toBe('deleted');
      expect(
        await store.transitionSnapshot(newId(), { from: ['ready'], to: 'deleting', reason: 'r' }),
      ).toBeNull();
      expect(
        await store.transitionSnapshot('not-a-uuid', { from: ['ready'], to: 'deleting', reason: 'r' }),
      ).toBeNull();
    });

    it('lists snapshots newest first, by project and source VM, without deleted ones unless asked', async () => {
      const store = ctx.store();
      const project = `p-${newId().slice(0, 8)}`;
      const vm = await store.insertVm(newVmInput({ project }));
      const other = await store.insertVm(newVmInput({ project }));
      const first = await store.insertSnapshot(newSnapshotInput(vm.id, { project }));
      await clockTick();
      const second = await store.insertSnapshot(newSnapshotInput(vm.id, { project }));
      await clockTick();
      const third = await store.insertSnapshot(newSnapshotInput(other.id, { project }));
      await store.completeSnapshot(first.id, { status: 'failed', statusReason: 'x' });
      await store.transitionSnapshot(first.id, { from: ['failed'], to: 'deleted', reason: 'gone' });
      const ids = (list: { id: string }[]) => list.map((s) => s.id);
      expect(ids(await store.listSnapshots({ project }))).toEqual([third.id, second.id]);
      expect(ids(await store.listSnapshots({ project, sourceVmId: vm.id }))).toEqual([second.id]);
      expect(ids(await store.listSnapshots({ project, includeDeleted: true }))).toEqual([
        third.id,
        second.id,
        first.id,
      ]);
      expect(await store.listSnapshots({ project, limit: 1 })).toHaveLength(1);
      expect(ids(await store.listSnapshots({ project, status: ['deleted'] }))).toEqual([first.id]);
      expect(ids(await store.listSnapshots({ project, status: ['pending'] }))).toEqual([third.id, second.id]);
      expect(await store.listSnapshots({ project, sourceVmId: 'not-a-uuid' })).toEqual([]);
      expect(await store.listSnapshots({ project: `${project}-none` })).toEqual([]);
    });

    it('finds the VMs started from a snapshot', async () => {
      const store = ctx.store();
      const project = `p-${newId().slice(0, 8)}`;
      const source = await store.insertVm(newVmInput({ project }));
      const snapshot = await store.insertSnapshot(newSnapshotInput(source.id, { project }));
      const child = await store.insertVm(newVmInput({ project, metadata: { fromSnapshot: snapshot.id } }));
      await store.insertVm(newVmInput({ project, metadata: { fromSnapshot: newId() } }));
      const found = await store.listVms({ project, fromSnapshot: snapshot.id });
      expect(found.map((vm) => vm.id)).toEqual([child.id]);
    });

    it('refuses a snapshot of a VM it does not hold', async () => {
      await expect(ctx.store().insertSnapshot(newSnapshotInput(newId()))).rejects.toThrow();
    });
  });
}
