import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import {
  claimedExecution,
  newExecuteTask,
  newExecutionInput,
  newVmInput,
  outcome,
  type SuiteContext,
} from './fixtures.js';

const claim = (reason = 'attempt 1 on w1') => ({
  workerId: 'w1',
  startedAt: new Date('2031-02-03T04:05:06.789Z'),
  reason,
});

export function describeAttemptCases(ctx: SuiteContext): void {
  describe('task attempts: claim and completion in one statement each', () => {
    it('claims a pending task with a new fencing token, reads its VM and starts its execution', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const execution = newExecutionInput(vm.id, { taskId: newId() });
      const input = newExecuteTask(execution);
      const inserted = await store.insertTask(input, execution);
      const claimed = await store.claimTask(input.id, claim());
      expect(claimed?.vm).toEqual(vm);
      expect(claimed?.task).toMatchObject({
        id: input.id,
        status: 'processing',
        statusReason: 'attempt 1 on w1',
        workerId: 'w1',
        startedAt: claim().startedAt,
        fencingToken: inserted.fencingToken + 1,
      });
      expect(await store.getTask(input.id)).toEqual(claimed?.task);
      expect((await store.getExecution(execution.id))?.startedAt).toEqual(claim().startedAt);
      const log = await store.listStateChanges(input.id);
      expect(log.map((c) => [c.from, c.to, c.reason])).toEqual([
        ['pending', 'processing', 'attempt 1 on w1'],
      ]);
    });

    it('claims nothing that is not pending, and nothing unknown', async () => {
      const store = ctx.store();
      const { task, execution } = await claimedExecution(store);
      expect(await store.claimTask(task.id, claim('again'))).toBeNull();
      expect(await store.getTask(task.id)).toEqual(task);
      expect((await store.getExecution(execution.id))?.startedAt).toBeNull();
      expect(await store.claimTask(newId(), claim())).toBeNull();
      expect(await store.claimTask('not-a-uuid', claim())).toBeNull();
    });

    it('claims a task without a VM with vm null', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const input = newExecuteTask(newExecutionInput(vm.id), { vmId: null });
      await store.insertTask(input);
      const claimed = await store.claimTask(input.id, claim());
      expect(claimed?.vm).toBeNull();
      expect(claimed?.task.status).toBe('processing');
    });

    it('records the outcome and completes the task together', async () => {
      const store = ctx.store();
      const { task, execution } = await claimedExecution(store);
      const result = outcome({ stdout: 'hello\n', exitCode: 3 });
      const completedAt = new Date('2031-02-03T04:05:07.000Z');
      const done = await store.completeTaskWithExecution(
        task.id,
        { fencingToken: task.fencingToken, result: { exitCode: 3 }, reason: 'handler finished', completedAt },
        execution.id,
        result,
      );
      expect(done?.execution).toMatchObject({ id: execution.id, ...result });
      expect(done?.task).toMatchObject({
        id: task.id,
        status: 'completed',
        result: { exitCode: 3 },
        error: null,
        completedAt,
      });
      expect(await store.getTask(task.id)).toEqual(done?.task);
      expect(await store.getExecution(execution.id)).toEqual(done?.execution);
      expect((await store.listStateChanges(task.id)).at(-1)).toMatchObject({
        from: 'processing',
        to: 'completed',
        reason: 'handler finished',
      });
    });

    it('records the signal of a command ended by one with the task completion', async () => {
      const store = ctx.store();
      const { task, execution } = await claimedExecution(store);
      const result = outcome({ exitCode: null, signal: 'SIGKILL' });
      const done = await store.completeTaskWithExecution(
        task.id,
        {
          fencingToken: task.fencingToken,
          result: null,
          reason: 'handler finished',
          completedAt: new Date(),
        },
        execution.id,
        result,
      );
      expect(done?.execution).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
      expect((await store.getExecution(execution.id))?.signal).toBe('SIGKILL');
    });

    it('a stale attempt changes neither record', async () => {
      const store = ctx.store();
      const { task, execution } = await claimedExecution(store);
      const completion = { result: null, reason: 'handler finished', completedAt: new Date() };
      const stale = await store.completeTaskWithExecution(
        task.id,
        { ...completion, fencingToken: task.fencingToken - 1 },
        execution.id,
        outcome(),
      );
      expect(stale).toBeNull();
      expect(await store.getTask(task.id)).toEqual(task);
      expect((await store.getExecution(execution.id))?.completedAt).toBeNull();
    });

    it('an execution completed already leaves the task running', async () => {
      const store = ctx.store();
      const { task, execution, fence } = await claimedExecution(store);
      await store.completeExecution(execution.id, outcome({ exitCode: 1 }), fence);
      const again = await store.completeTaskWithExecution(
        task.id,
        {
          fencingToken: task.fencingToken,
          result: null,
          reason: 'handler finished',
          completedAt: new Date(),
        },
        execution.id,
        outcome({ exitCode: 0 }),
      );
      expect(again).toBeNull();
      expect((await store.getTask(task.id))?.status).toBe('processing');
      expect((await store.getExecution(execution.id))?.exitCode).toBe(1);
    });
  });
}
