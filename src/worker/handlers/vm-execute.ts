import type { TaskHandler } from '../context.js';
import { runCommand } from './run-command.js';

export const handleVmExecute: TaskHandler<'vm:execute'> = async (ctx, task, signal) => {
  const { vmId, executionId, exec } = task.payload;
  // A fresh claim read the VM and recorded the start in its own statement; a takeover did not.
  const fromClaim = ctx.attempt?.claimedVm?.id === vmId;
  const vm = await ctx.claimedVm(vmId);
  const execution = await runCommand(ctx, vm, executionId, task, exec, signal, {
    startRecorded: fromClaim,
    // The task ends with its command: its completion is written with the outcome, atomically.
    completeTaskWith: (outcome) => ({
      executionId,
      exitCode: outcome.exitCode,
      timedOut: outcome.timedOut,
    }),
  });
  return { executionId: execution.id, exitCode: execution.exitCode, timedOut: execution.timedOut };
};
