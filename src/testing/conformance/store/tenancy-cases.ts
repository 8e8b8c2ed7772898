import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectCode, newVmInput, type SuiteContext, uniqueName } from './fixtures.js';

const project = () => `p-${randomUUID().slice(0, 8)}`;

export function describeTenancyCases(ctx: SuiteContext): void {
  describe('projects', () => {
    it('keeps names unique per project, resolves names within a project, and lists by project', async () => {
      const store = ctx.store();
      const [a, b] = [project(), project()];
      const name = uniqueName();
      const inA = await store.insertVm(newVmInput({ project: a, name }));
      const inB = await store.insertVm(newVmInput({ project: b, name }));
      expect(inA.project).toBe(a);
      await expectCode(store.insertVm(newVmInput({ project: a, name })), 'ERR_VM_NAME_TAKEN');
      expect((await store.findVm(name, a))?.id).toBe(inA.id);
      expect((await store.findVm(name, b))?.id).toBe(inB.id);
      await expectCode(store.findVm(name), 'ERR_VM_NAME_AMBIGUOUS');
      // An id resolves whatever the project (the caller checks visibility).
      expect((await store.findVm(inA.id, b))?.id).toBe(inA.id);
      expect((await store.listVms({ project: a })).map((v) => v.id)).toEqual([inA.id]);
      // A name no VM can have is never looked up.
      expect(await store.findVm('bad\u0000name', a)).toBeNull();
    });

    it('enforces a quota atomically: of 8 racing inserts under a quota of 3, exactly 3 land', async () => {
      const store = ctx.store();
      const p = project();
      const quota = { vms: 3, vcpus: 100, memoryMiB: 100_000 };
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.insertVm(newVmInput({ project: p }), { quota })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_QUOTA_EXCEEDED' });
      }
      const cpu = project();
      await store.insertVm(newVmInput({ project: cpu, vcpus: 3 }), {
        quota: { vms: 10, vcpus: 4, memoryMiB: 1e6 },
      });
      await expectCode(
        store.insertVm(newVmInput({ project: cpu, vcpus: 2 }), {
          quota: { vms: 10, vcpus: 4, memoryMiB: 1e6 },
        }),
        'ERR_QUOTA_EXCEEDED',
      );
      // Deleted VMs stop counting.
      const [first] = await store.listVms({ project: p });
      await store.transitionVm(first!.id, { from: ['pending'], to: 'deleted', reason: 'test' });
      await expect(store.insertVm(newVmInput({ project: p }), { quota })).resolves.toMatchObject({
        project: p,
      });
    });
  });

  describe('API keys', () => {
    it('stores, finds, lists by project and revokes once', async () => {
      const store = ctx.store();
      const p = project();
      const id = randomUUID().replaceAll('-', '').slice(0, 12);
      const expiresAt = new Date(Date.now() + 60_000);
      const stored = await store.insertApiKey({
        id,
        name: 'k',
        project: p,
        admin: false,
        hash: 'ab'.repeat(32),
        expiresAt,
      });
      expect(stored).toMatchObject({ id, project: p, admin: false, hash: 'ab'.repeat(32), revokedAt: null });
      expect(stored.expiresAt?.getTime()).toBe(expiresAt.getTime());
      expect(await store.getApiKey(id)).toEqual(stored);
      const listed = await store.listApiKeys(p);
      expect(listed).toHaveLength(1);
      expect(listed[0]).not.toHaveProperty('hash');
      expect((await store.listApiKeys()).some((k) => k.id === id)).toBe(true);
      const revoked = await store.revokeApiKey(id);
      expect(revoked?.revokedAt).toBeInstanceOf(Date);
      const again = await store.revokeApiKey(id);
      expect(again?.revokedAt?.getTime()).toBe(revoked?.revokedAt?.getTime());
      expect(await store.revokeApiKey('nonexistent00')).toBeNull();
      expect(await store.getApiKey('nonexistent00')).toBeNull();
    });
  });
}
