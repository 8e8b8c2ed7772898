import { describe, expect, it } from 'vitest';
import type { TaskProgress } from '../../../core/task.js';
import type { VmTools } from '../../../core/tools.js';
import { newCreateTask, newVmInput, type SuiteContext } from './fixtures.js';

const REQUESTED: VmTools = {
  requested: [
    { name: 'node', version: '20', required: false },
    { name: 'go', version: '1.23.0', required: true },
  ],
  installed: [],
  missing: [],
  pathDirs: [],
};

function progress(current: number): TaskProgress {
  return {
    phase: 'tools',
    current,
    total: 2,
    item: 'go',
    message: `installing go (${current} of 2)`,
    updatedAt: new Date().toISOString(),
  };
}

export function describeToolCases(ctx: SuiteContext): void {
  describe('tools and task progress', () => {
    it('stores the tools a VM asked for and what it got; transitions keep them', async () => {
      const store = ctx.store();
      expect((await store.insertVm(newVmInput())).tools).toBeNull();
      const vm = await store.insertVm(newVmInput({ tools: REQUESTED }));
      expect(vm.tools).toEqual(REQUESTED);
      expect(await store.getVm(vm.id)).toEqual(vm);
      const got: VmTools = {
        ...REQUESTED,
        installed: [
          { name: 'node', version: '20.19.0', origin: 'image' },
          { name: 'go', version: '1.23.0', origin: 'mise' },
        ],
        pathDirs: ['/home/user/.local/share/mise/installs/go/1.23.0/bin'],
      };
      const moved = await store.transitionVm(
        vm.id,
        { from: ['pending'], to: 'running', reason: 'tools installed' },
        { tools: got },
      );
      expect(moved?.tools).toEqual(got);
      expect((await store.updateVm(vm.id, { isolation: null }))?.tools).toEqual(got);
      expect((await store.listVms({})).find((v) => v.id === vm.id)?.tools).toEqual(got);
    });

    it('records progress only for the processing attempt that holds the fencing token', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const task = await store.insertTask(newCreateTask(vm.id));
      expect(task.progress).toBeNull();
      expect(await store.setTaskProgress(task.id, task.fencingToken, progress(1))).toBe(false);
      const claimed = await store.transitionTask(
        task.id,
        { from: ['pending'], to: 'processing', reason: 'claimed' },
        { newAttempt: true },
      );
      const token = claimed!.fencingToken;
      expect(await store.setTaskProgress(task.id, token, progress(1))).toBe(true);
      expect((await store.getTask(task.id))?.progress).toMatchObject({ current: 1, total: 2, item: 'go' });
      expect(await store.setTaskProgress(task.id, token - 1, progress(2))).toBe(false);
      expect(await store.setTaskProgress(task.id, token, progress(2))).toBe(true);
      expect((await store.getTask(task.id))?.progress).toMatchObject({ current: 2 });
      expect(await store.setTaskProgress('not-a-uuid', token, progress(2))).toBe(false);
    });
  });
}
