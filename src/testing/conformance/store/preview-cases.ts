import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import type { NewPreview } from '../../../core/preview.js';
import type { Store } from '../../../core/store.js';
import { newVmInput, type SuiteContext } from './fixtures.js';

const hash = () => createHash('sha256').update(randomBytes(32)).digest('hex');

function newPreview(vmId: string, overrides: Partial<NewPreview> = {}): NewPreview {
  return {
    id: newId(),
    vmId,
    project: 'default',
    port: 3000,
    tokenHash: hash(),
    expiresAt: new Date(Date.now() + 3_600_000),
    createdBy: 'key1',
    ...overrides,
  };
}

export function describePreviewCases(ctx: SuiteContext): void {
  describe('previews', () => {
    it('stores a preview and finds it by id and by token hash, never showing the hash', async () => {
      const store: Store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const input = newPreview(vm.id, { port: 8080, createdBy: null });
      const stored = await store.insertPreview(input);
      expect(stored).toEqual({
        id: input.id,
        vmId: vm.id,
        project: 'default',
        port: 8080,
        createdAt: expect.any(Date),
        expiresAt: input.expiresAt,
        revokedAt: null,
        createdBy: null,
      });
      expect(stored).not.toHaveProperty('tokenHash');
      expect(await store.getPreview(input.id)).toEqual(stored);
      expect(await store.findPreviewByTokenHash(input.tokenHash)).toEqual(stored);
      expect(await store.findPreviewByTokenHash(hash())).toBeNull();
      expect(await store.getPreview(newId())).toBeNull();
    });

    it('refuses a token hash twice', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const first = newPreview(vm.id);
      await store.insertPreview(first);
      await expect(store.insertPreview(newPreview(vm.id, { tokenHash: first.tokenHash }))).rejects.toThrow();
    });

    it("lists a VM's previews newest first, revoked ones included, up to the limit", async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const other = await store.insertVm(newVmInput());
      const made = [];
      for (const port of [1, 2, 3]) made.push(await store.insertPreview(newPreview(vm.id, { port })));
      await store.insertPreview(newPreview(other.id));
      await store.revokePreview(made[0]!.id);
      const listed = await store.listPreviews(vm.id);
      expect(listed.map((p) => p.port)).toEqual([3, 2, 1]);
      expect(listed[2]?.revokedAt).toBeInstanceOf(Date);
      expect((await store.listPreviews(vm.id, { limit: 2 })).map((p) => p.port)).toEqual([3, 2]);
      expect(await store.listPreviews(newId())).toEqual([]);
      expect(await store.listPreviews('not-a-uuid')).toEqual([]);
    });

    it('revokes once: a second revoke keeps the first time; an unknown id is null', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const preview = await store.insertPreview(newPreview(vm.id));
      const first = await store.revokePreview(preview.id);
      expect(first?.revokedAt).toBeInstanceOf(Date);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const second = await store.revokePreview(preview.id);
      expect(second?.revokedAt).toEqual(first?.revokedAt);
      expect(await store.revokePreview(newId())).toBeNull();
    });

    it('refuses a port out of range and a VM that does not exist', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      await expect(store.insertPreview(newPreview(vm.id, { port: 0 }))).rejects.toThrow();
      await expect(store.insertPreview(newPreview(vm.id, { port: 65_536 }))).rejects.toThrow();
      await expect(store.insertPreview(newPreview(newId()))).rejects.toThrow();
    });
  });
}
