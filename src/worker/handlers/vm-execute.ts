import type { TaskHandler } from '../context.js';
import { runCommand } from './run-command.js';

export const handleVmExecute: TaskHandler<'vm:execute'> = async (ctx, task, signal) => {
  const vm = await ctx.requireVm(task.payload.vmId);
  const execution = await runCommand(ctx, vm, task.payload.executionId, task, task.payload.exec, signal);
  return { executionId: execution.id, exitCode: execution.exitCode, timedOut: execution.timedOut };
};
