import type { ExecRequest } from '../../core/driver.js';
import { AetherError, toWireError } from '../../core/errors.js';
import type { ExecutionRecord } from '../../core/execution.js';
import type { OutputStream } from '../../core/output.js';
import type { ExecutionOutcome } from '../../core/store.js';
import { type ExecSpec, isRerunnable, type TaskRecord } from '../../core/task.js';
import { withToolPath } from '../../core/tools.js';
import { type VmRecord, vmNotRunning } from '../../core/vm.js';
import type { HandlerContext } from '../context.js';
import { OutputCollector } from '../output-collector.js';
import { outputLogWriter } from '../output-log.js';
import { OutputRecorder } from '../output-recorder.js';
import { persistently } from '../persist.js';
import type { CommandRegistration } from '../running-commands.js';
import { recordVmGone } from './vm-gone.js';

export interface RunCommandOptions {
  /** The execution's start is recorded already (by the claim of its task). */
  startRecorded?: boolean;
  /**
   * The task ends with this command: when it ran (whatever its exit code), its outcome and the
   * task's completion with this result are written in one statement, and `ctx.attempt.completed`
   * holds both records.
   */
  completeTaskWith?: (outcome: ExecutionOutcome) => unknown;
}

/**
 * Run one command in a VM and record it: capped output published and stored in chunks while it
 * runs (all of them stored before the end), the outcome written to the execution row when it
 * ends. A command that could not start is recorded with its error and rethrown; a non-zero exit
 * or a timeout is an outcome.
 * The record is written only while `task`'s attempt still holds the task (fencing token).
 */
export async function runCommand(
  ctx: HandlerContext,
  vm: VmRecord,
  executionId: string,
  task: TaskRecord,
  exec: ExecSpec,
  signal: AbortSignal,
  options: RunCommandOptions = {},
): Promise<ExecutionRecord> {
  if (vm.status !== 'running') throw vmNotRunning(vm, 'commands run');
  const taskId = task.id;
  const stdout = new OutputCollector(ctx.settings.outputLimitBytes);
  const stderr = new OutputCollector(ctx.settings.outputLimitBytes);
  const startedAt = new Date();
  // Recorded while the command starts rather than before: the agent needs nothing from the store.
  const markedStarted = options.startRecorded
    ? Promise.resolve()
    : ctx.store.markExecutionStarted(executionId, startedAt).catch((error: unknown) => {
        ctx.logger.warn({ err: error, executionId }, 'could not record the execution start');
      });
  const recorder = new OutputRecorder(ctx, {
    executionId,
    taskId,
    fence: { taskId, fencingToken: task.fencingToken },
  });
  const shipOutput = outputLogWriter(ctx.logSink, {
    project: vm.project,
    vmId: vm.id,
    taskId,
    executionId,
    worker: ctx.settings.workerId,
  });
  // Only what the record keeps is streamed, so every reader, live or late, sees the same bytes.
  const stream = (name: OutputStream, collector: OutputCollector) => (chunk: Uint8Array) => {
    const kept = collector.push(chunk);
    recorder.record(name, kept);
    shipOutput(name, kept);
  };
  let exitCode: number | null = null;
  let timedOut = false;
  let endedBy: string | null = null;
  let failure: unknown = null;
  const execStarted = performance.now();
  // Reachable by the data plane (signals, a stdin feeder) from now until the driver returns.
  const running = ctx.commands.register(executionId, {
    vmId: vm.id,
    stdinStream: exec.stdinStream === true,
  });
  try {
    const result = await ctx.driverFor(vm).exec(
      vm.id,
      {
        argv: [exec.command, ...exec.args],
        env: withToolPath(vm.tools, exec.env),
        ...(exec.cwd ? { cwd: exec.cwd } : {}),
        ...stdinOf(exec, running),
        timeoutMs: exec.timeoutMs,
      },
      {
        onStarted: running.onStarted,
        onStdout: stream('stdout', stdout),
        onStderr: stream('stderr', stderr),
      },
      AbortSignal.any([signal, running.signal]),
    );
    exitCode = result.exitCode;
    timedOut = result.timedOut;
    endedBy = result.signal;
  } catch (error) {
    failure = error;
  } finally {
    running.release();
  }
  const completedAt = new Date();
  ctx.metrics.execFinished(
    vm.driver,
    failure !== null ? 'error' : timedOut ? 'timed_out' : endedBy !== null ? 'signalled' : 'exited',
    (performance.now() - execStarted) / 1000,
  );
  await markedStarted;
  if (failure !== null) await recordVmGone(ctx, vm, failure);
  // Cut short by its worker stopping, and safe to run again: it will, so this run leaves no record.
  if (failure !== null && signal.aborted && isWorkerStop(signal.reason) && isRerunnable(task)) {
    recorder.discard();
    throw failure;
  }
  await recorder.finish();
  const outcome: ExecutionOutcome = {
    exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    timedOut,
    signal: endedBy,
    error: failure === null ? null : toWireError(failure),
    startedAt,
    completedAt,
    durationMs: completedAt.getTime() - startedAt.getTime(),
  };
  const completeTaskWith = failure === null ? options.completeTaskWith : undefined;
  // Before the execution completes: the idle clock never sees a VM with no open execution
  // and an idle time that predates this command's end. Only VMs with an idle timeout pay for
  // the write: it is on every command's path.
  if (vm.lifetime.idleTimeoutSeconds !== null) {
    await ctx.store.recordVmActivity(vm.id).catch((error: unknown) => {
      ctx.logger.warn({ err: error, vmId: vm.id }, 'could not record the activity of the VM');
    });
  }
  const record = await persistently(ctx, 'an execution', async () => {
    if (!completeTaskWith) {
      return ctx.store.completeExecution(executionId, outcome, { taskId, fencingToken: task.fencingToken });
    }
    const done = await ctx.store.completeTaskWithExecution(
      taskId,
      {
        fencingToken: task.fencingToken,
        result: completeTaskWith(outcome),
        reason: 'handler finished',
        completedAt,
      },
      executionId,
      outcome,
    );
    if (done && ctx.attempt) ctx.attempt.completed = done;
    return done?.execution ?? null;
  });
  if (!record) {
    throw new AetherError(
      'ERR_STALE_ATTEMPT',
      `execution ${executionId} was already recorded, or another attempt holds task ${taskId}; this run's outcome was discarded`,
    );
  }
  void ctx.events.publish('execution.completed', { executionId, taskId, exitCode });
  if (failure !== null) throw failure;
  return record;
}

/** Stdin as the driver takes it: the relay a data-plane feeder writes to, the text given, or none. */
function stdinOf(exec: ExecSpec, running: CommandRegistration): Pick<ExecRequest, 'stdin'> {
  if (running.stdin) return { stdin: running.stdin };
  return exec.stdin !== null ? { stdin: Buffer.from(exec.stdin, 'utf8') } : {};
}

function isWorkerStop(reason: unknown): boolean {
  return (
    reason instanceof AetherError &&
    (reason.code === 'ERR_WORKER_DRAINING' || reason.code === 'ERR_WORKER_LOST')
  );
}
