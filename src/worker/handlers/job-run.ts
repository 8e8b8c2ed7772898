import { AetherError, toWireError } from '../../core/errors.js';
import type { JobStepResult } from '../../core/execution.js';
import { newId } from '../../core/ids.js';
import type { TaskHandler } from '../context.js';
import { runCommand } from './run-command.js';

/** Run a job's steps in order in one VM; the first step that fails or exits non-zero ends it. */
export const handleJobRun: TaskHandler<'job:run'> = async (ctx, task, signal) => {
  const job = await ctx.store.getJob(task.payload.jobId);
  if (!job) throw new AetherError('ERR_JOB_NOT_FOUND', `job ${task.payload.jobId} is not in the store`);
  const vm = await ctx.requireVm(job.vmId);
  await ctx.store.updateJob(job.id, { status: 'running' });
  const results: JobStepResult[] = [];
  let failedStep: number | null = null;
  for (const [index, step] of job.steps.entries()) {
    const executionId = newId();
    await ctx.store.insertExecution({
      id: executionId,
      project: job.project,
      vmId: vm.id,
      taskId: task.id,
      jobId: job.id,
      command: step.command,
      args: step.args,
      env: step.env,
      cwd: step.cwd,
    });
    try {
      const execution = await runCommand(ctx, vm, executionId, task, { ...step, stdin: null }, signal);
      results.push({ executionId, exitCode: execution.exitCode, error: null });
      if (execution.exitCode !== 0) failedStep = index;
    } catch (error) {
      results.push({ executionId, exitCode: null, error: toWireError(error) });
      failedStep = index;
    }
    await ctx.store.updateJob(job.id, { results });
    if (failedStep !== null) break;
  }
  const status = failedStep === null ? 'completed' : 'failed';
  await ctx.store.updateJob(job.id, { status, results });
  return { jobId: job.id, status, failedStep };
};
