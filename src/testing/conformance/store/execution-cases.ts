import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import {
  clockTick,
  expectCode,
  expectRecent,
  jobSteps,
  newExecutionInput,
  newVmInput,
  outcome,
  type SuiteContext,
} from './fixtures.js';

export function describeExecutionCases(ctx: SuiteContext): void {
  describe('executions', () => {
    it('inserts an execution with empty output and reads it back', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const input = newExecutionInput(vm.id, { cwd: '/tmp' });
      const execution = await store.insertExecution(input);
      expect(execution).toMatchObject({
        ...input,
        exitCode: null,
        stdout: '',
        stderr: '',
        stdoutTruncated: false,
        stderrTruncated: false,
        timedOut: false,
        signal: null,
        error: null,
        startedAt: null,
        completedAt: null,
        durationMs: null,
      });
      expectRecent(execution.createdAt);
      expect(await store.getExecution(execution.id)).toEqual(execution);
      expect(await store.getExecution(newId())).toBeNull();
    });

    it('lists the executions of a VM newest first, with a limit', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const other = await store.insertVm(newVmInput());
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        await clockTick();
        ids.push((await store.insertExecution(newExecutionInput(vm.id))).id);
      }
      await store.insertExecution(newExecutionInput(other.id));
      expect((await store.listExecutions(vm.id)).map((e) => e.id)).toEqual([...ids].reverse());
      expect((await store.listExecutions(vm.id, { limit: 2 })).map((e) => e.id)).toEqual([ids[2], ids[1]]);
      expect(await store.listExecutions(newId())).toEqual([]);
    });

    it('marks an execution started; an unknown id is ERR_EXECUTION_NOT_FOUND', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const execution = await store.insertExecution(newExecutionInput(vm.id));
      const startedAt = new Date('2031-02-03T04:05:06.789Z');
      await store.markExecutionStarted(execution.id, startedAt);
      expect((await store.getExecution(execution.id))?.startedAt).toEqual(startedAt);
      await expectCode(store.markExecutionStarted(newId(), startedAt), 'ERR_EXECUTION_NOT_FOUND');
    });

    it('completes an execution with its output, flags, error and duration', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const execution = await store.insertExecution(newExecutionInput(vm.id));
      const result = outcome({
        exitCode: null,
        stdout: 'partial output…\n'.repeat(100),
        stderr: 'warning: ünïcødé ✓\n',
        stdoutTruncated: true,
        stderrTruncated: false,
        timedOut: true,
        error: { code: 'ERR_EXEC_TIMEOUT', message: 'killed after 10 s', retryable: false },
      });
      const completed = await store.completeExecution(execution.id, result);
      expect(completed).toEqual({ ...execution, ...result });
      expect(await store.getExecution(execution.id)).toEqual(completed);
      expect(await store.completeExecution(newId(), outcome())).toBeNull();
    });

    it('records the signal that ended a command, and reads it back', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const killed = await store.insertExecution(newExecutionInput(vm.id));
      const exited = await store.insertExecution(newExecutionInput(vm.id));
      const completed = await store.completeExecution(
        killed.id,
        outcome({ exitCode: null, signal: 'SIGTERM' }),
      );
      expect(completed?.signal).toBe('SIGTERM');
      expect((await store.getExecution(killed.id))?.signal).toBe('SIGTERM');
      expect((await store.listExecutions(vm.id)).find((e) => e.id === killed.id)?.signal).toBe('SIGTERM');
      expect((await store.completeExecution(exited.id, outcome({ exitCode: 0 })))?.signal).toBeNull();
    });

    it('stores output containing NUL bytes (which PostgreSQL text refuses) as U+FFFD', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const execution = await store.insertExecution(newExecutionInput(vm.id));
      const completed = await store.completeExecution(
        execution.id,
        outcome({ stdout: 'a\u0000b', durationMs: 1.6 }),
      );
      expect(completed?.stdout).toBe('a\uFFFDb');
      expect(completed?.durationMs).toBe(2);
    });
  });

  describe('jobs', () => {
    it('inserts a job, records step results and logs status changes', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const input = {
        id: newId(),
        project: 'default',
        name: 'build and test',
        vmId: vm.id,
        taskId: null,
        steps: jobSteps,
      };
      const job = await store.insertJob(input);
      expect(job).toMatchObject({ ...input, status: 'pending', results: [] });
      expectRecent(job.createdAt);
      expect(await store.getJob(job.id)).toEqual(job);

      const taskId = newId();
      await expectCode(store.updateJob(job.id, { taskId }), 'ERR_TASK_NOT_FOUND');
      const running = await store.updateJob(job.id, { status: 'running' });
      expect(running).toMatchObject({ status: 'running', results: [] });
      const execution = await store.insertExecution(newExecutionInput(vm.id, { jobId: job.id }));
      const results = [
        { executionId: execution.id, exitCode: 1, error: null },
        {
          executionId: newId(),
          exitCode: null,
          error: { code: 'ERR_EXEC_SPAWN_FAILED' as const, message: 'ENOENT', retryable: false },
        },
      ];
      const failed = await store.updateJob(job.id, { status: 'failed', results });
      expect(failed).toMatchObject({ status: 'failed', results, steps: jobSteps });
      // Same status again: nothing to log.
      await store.updateJob(job.id, { status: 'failed' });
      const log = await store.listStateChanges(job.id);
      expect(log.map((c) => [c.entity, c.from, c.to])).toEqual([
        ['job', 'pending', 'running'],
        ['job', 'running', 'failed'],
      ]);
      expect(await store.updateJob(newId(), { status: 'running' })).toBeNull();
      expect(await store.getJob(newId())).toBeNull();
    });

    it('refuses a job for an unknown VM with ERR_VM_NOT_FOUND', async () => {
      const input = {
        id: newId(),
        project: 'default',
        name: 'orphan',
        vmId: newId(),
        taskId: null,
        steps: jobSteps,
      };
      await expectCode(ctx.store().insertJob(input), 'ERR_VM_NOT_FOUND');
    });
  });
}
