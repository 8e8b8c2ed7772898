/**
 * Test inputs for the store conformance suite. Every builder makes fresh ids and names, so cases
 * share one database without seeing each other's rows (one database per test file is the cost
 * that matters: a PGlite instance takes seconds to open).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { type ErrorCode, isAetherError } from '../../../core/errors.js';
import type { JobStep } from '../../../core/execution.js';
import { newId } from '../../../core/ids.js';
import type {
  AttemptFence,
  ExecutionOutcome,
  NewExecution,
  NewTask,
  NewVm,
  Store,
} from '../../../core/store.js';
import type { TaskRecord } from '../../../core/task.js';

/** What each backend's test hands the suite: a migrated, empty-enough store and its lifecycle. */
export interface StoreFixture {
  store: Store;
  /** Applies the migrations again to the same database; must change nothing. */
  migrate(): Promise<void>;
  /** Frees the backing database after the store is closed. */
  teardown?(): Promise<void>;
}

/** Lets case files read the fixture that `beforeAll` creates. */
export interface SuiteContext {
  fixture(): StoreFixture;
  store(): Store;
}

export function uniqueName(prefix = 'vm'): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

export function newVmInput(overrides: Partial<NewVm> = {}): NewVm {
  return {
    id: newId(),
    project: 'default',
    name: uniqueName(),
    driver: 'process',
    vcpus: 1,
    memoryMiB: 256,
    metadata: {},
    ...overrides,
  };
}

export function newCreateTask(vmId: string, overrides: Partial<NewTask> = {}): NewTask {
  return {
    id: newId(),
    project: 'default',
    type: 'vm:create',
    priority: 'default',
    payload: { vmId },
    vmId,
    maxRetries: 2,
    timeoutMs: 300_000,
    ...overrides,
  };
}

export function newExecutionInput(vmId: string, overrides: Partial<NewExecution> = {}): NewExecution {
  return {
    id: newId(),
    project: 'default',
    vmId,
    taskId: null,
    jobId: null,
    command: 'echo',
    args: ['hello'],
    env: {},
    cwd: null,
    ...overrides,
  };
}

export function newExecuteTask(execution: NewExecution, overrides: Partial<NewTask> = {}): NewTask {
  return {
    id: execution.taskId ?? newId(),
    project: execution.project,
    type: 'vm:execute',
    priority: 'high',
    payload: {
      vmId: execution.vmId,
      executionId: execution.id,
      exec: {
        command: execution.command,
        args: execution.args,
        env: execution.env,
        cwd: execution.cwd,
        stdin: null,
        timeoutMs: 10_000,
      },
    },
    vmId: execution.vmId,
    maxRetries: 0,
    timeoutMs: 600_000,
    ...overrides,
  };
}

/**
 * An execution in a new VM whose `vm:execute` task an attempt has claimed: what a worker holds
 * while the command runs, with the fence its writes carry.
 */
export async function claimedExecution(
  store: Store,
): Promise<{ execution: NewExecution; task: TaskRecord; fence: AttemptFence }> {
  const vm = await store.insertVm(newVmInput());
  const execution = newExecutionInput(vm.id, { taskId: newId() });
  const input = newExecuteTask(execution);
  await store.insertTask(input, execution);
  const task = await store.transitionTask(
    input.id,
    { from: ['pending'], to: 'processing', reason: 'claim' },
    { newAttempt: true },
  );
  if (!task) throw new Error(`task ${input.id} could not be claimed`);
  return { execution, task, fence: { taskId: task.id, fencingToken: task.fencingToken } };
}

export function outcome(overrides: Partial<ExecutionOutcome> = {}): ExecutionOutcome {
  const startedAt = new Date(Date.now() - 1500);
  return {
    exitCode: 0,
    stdout: 'out\n',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    timedOut: false,
    signal: null,
    error: null,
    startedAt,
    completedAt: new Date(startedAt.getTime() + 1234),
    durationMs: 1234,
    ...overrides,
  };
}

export const jobSteps: JobStep[] = [
  { command: 'npm', args: ['ci'], env: { CI: '1' }, cwd: '/work', timeoutMs: 60_000 },
  { command: 'npm', args: ['test', '--', '--reporter=dot'], env: {}, cwd: null, timeoutMs: 120_000 },
];

/** Awaits `promise` and checks it failed with an AetherError of `code`. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}, got success`).toBeDefined();
  expect(isAetherError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

/** Store timestamps come from the database clock; allow for skew with the test process. */
export function expectRecent(value: unknown, withinMs = 60_000): void {
  expect(value).toBeInstanceOf(Date);
  expect(Math.abs((value as Date).getTime() - Date.now())).toBeLessThan(withinMs);
}

/**
 * Lets the clock move on between rows whose order a test checks: lists are newest first by
 * creation time, and rows created within one tick of the database's clock have no defined order
 * between them. 2 ms was once not enough on a loaded machine (two PGlite rows 2 ms apart got the
 * same time), so this waits well past any tick.
 */
export function clockTick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}
