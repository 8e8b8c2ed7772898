import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import {
  clockTick,
  expectCode,
  expectRecent,
  newCreateTask,
  newExecuteTask,
  newExecutionInput,
  newVmInput,
  type SuiteContext,
} from './fixtures.js';

export function describeTaskCases(ctx: SuiteContext): void {
  describe('tasks', () => {
    it('inserts a task with lifecycle defaults and reads it back', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const input = newCreateTask(vm.id, { priority: 'critical' });
      const task = await store.insertTask(input);
      expect(task).toMatchObject({
        ...input,
        status: 'pending',
        statusReason: null,
        result: null,
        error: null,
        workerId: null,
        retryCount: 0,
        startedAt: null,
        completedAt: null,
      });
      expectRecent(task.createdAt);
      expect(await store.getTask(task.id)).toEqual(task);
      expect(await store.getTask(newId())).toBeNull();
      expect(await store.getTask('garbage')).toBeNull();
    });

    it('inserts a task and its execution atomically', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const execution = newExecutionInput(vm.id, { taskId: newId() });
      const input = newExecuteTask(execution);
      const task = await store.insertTask(input, execution);
      expect(task.payload).toEqual(input.payload);
      expect(await store.getExecution(execution.id)).toMatchObject({
        ...execution,
        exitCode: null,
        startedAt: null,
      });
    });

    it('writes neither row when the execution cannot be inserted', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      // The execution names a VM that does not exist, so its insert fails after the task's.
      const execution = newExecutionInput(newId(), { taskId: newId() });
      const input = newExecuteTask(execution, { vmId: vm.id });
      await expectCode(store.insertTask(input, execution), 'ERR_VM_NOT_FOUND');
      expect(await store.getTask(input.id)).toBeNull();
      expect(await store.getExecution(execution.id)).toBeNull();
    });

    it('refuses a task for an unknown VM with ERR_VM_NOT_FOUND', async () => {
      await expectCode(ctx.store().insertTask(newCreateTask(newId())), 'ERR_VM_NOT_FOUND');
    });

    it('lists tasks newest first, filtered by VM, status and limit', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        await clockTick();
        ids.push((await store.insertTask(newCreateTask(vm.id))).id);
      }
      const [a, b, c] = ids as [string, string, string];
      await store.transitionTask(b, { from: ['pending'], to: 'processing', reason: 'go' });

      expect((await store.listTasks({ vmId: vm.id })).map((t) => t.id)).toEqual([c, b, a]);
      expect((await store.listTasks({ vmId: vm.id, status: ['pending'] })).map((t) => t.id)).toEqual([c, a]);
      expect(
        (await store.listTasks({ vmId: vm.id, status: ['processing', 'failed'] })).map((t) => t.id),
      ).toEqual([b]);
      expect((await store.listTasks({ vmId: vm.id, limit: 1 })).map((t) => t.id)).toEqual([c]);
      expect(await store.listTasks({ vmId: newId() })).toEqual([]);
      expect(await store.listTasks({ vmId: 'not-a-uuid' })).toEqual([]);
      const pending = await store.listTasks({ status: ['pending'] });
      expect(pending.every((t) => t.status === 'pending')).toBe(true);
      expect(pending.some((t) => t.id === a)).toBe(true);
    });
  });
}
