import { describe, expect, it } from 'vitest';
import { newVmInput, type SuiteContext, uniqueName } from './fixtures.js';

export function describeLabelCases(ctx: SuiteContext): void {
  describe('VM labels', () => {
    it('keeps labels, defaults to none, and filters lists by containment (every label asked for)', async () => {
      const store = ctx.store();
      // A project of its own: other cases' VMs never match, whatever they carry.
      const project = uniqueName('labels');
      const a = await store.insertVm(newVmInput({ project, labels: { team: 'a', env: 'ci' } }));
      const b = await store.insertVm(newVmInput({ project, labels: { team: 'a', env: 'prod' } }));
      const none = await store.insertVm(newVmInput({ project }));
      expect(a.labels).toEqual({ team: 'a', env: 'ci' });
      expect(none.labels).toEqual({});
      expect((await store.getVm(a.id))?.labels).toEqual({ team: 'a', env: 'ci' });

      const ids = async (labels: Record<string, string>) =>
        (await store.listVms({ project, labels })).map((vm) => vm.id).sort();
      expect(await ids({ team: 'a' })).toEqual([a.id, b.id].sort());
      expect(await ids({ team: 'a', env: 'ci' })).toEqual([a.id]);
      expect(await ids({ env: 'ci', team: 'b' })).toEqual([]);
      // An empty value is a value: it matches only a label that is empty.
      expect(await ids({ team: '' })).toEqual([]);
      expect(await ids({})).toEqual([a.id, b.id, none.id].sort());
    });

    it('filters within the project asked for only', async () => {
      const store = ctx.store();
      const [p1, p2] = [uniqueName('labels'), uniqueName('labels')];
      const mine = await store.insertVm(newVmInput({ project: p1, labels: { team: 'x' } }));
      await store.insertVm(newVmInput({ project: p2, labels: { team: 'x' } }));
      expect((await store.listVms({ project: p1, labels: { team: 'x' } })).map((vm) => vm.id)).toEqual([
        mine.id,
      ]);
    });

    it('leaves labels alone on transitions and updates', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput({ labels: { keep: 'me' } }));
      const moved = await store.transitionVm(
        vm.id,
        { from: ['pending'], to: 'creating', reason: 'test' },
        { workerId: 'w1' },
      );
      expect(moved?.labels).toEqual({ keep: 'me' });
      expect((await store.updateVm(vm.id, { isolation: null }))?.labels).toEqual({ keep: 'me' });
    });
  });
}
