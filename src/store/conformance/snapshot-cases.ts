import { describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import type { NewSnapshot } from '../../core/snapshot.js';
import { expectRecent, newVmInput, type SuiteContext } from './fixtures.js';

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

    it('refuses a snapshot of a VM it does not hold', async () => {
      await expect(ctx.store().insertSnapshot(newSnapshotInput(newId()))).rejects.toThrow();
    });
  });
}
