import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executionSchema, jobSchema, taskSchema, vmSchema, workerSchema } from '../api/records.js';
import { executeDone, vmWriteError } from '../api/responses.js';
import type { ExecutionRecord, JobRecord } from '../core/execution.js';
import type { TaskRecord } from '../core/task.js';
import type { VmRecord } from '../core/vm.js';
import type { WorkerRecord } from '../core/worker.js';
import { executionJson, jobJson, taskJson, vmJson, workerJson } from './serialize.js';

/**
 * What the serializers write is exactly what the response schemas let through: the gateway
 * serializes every answer through its schema, so a field or value the schema does not accept
 * would vanish from the wire or turn the answer into a 500.
 */

const T0 = new Date('2026-01-02T03:04:05.678Z');
const T1 = new Date('2026-01-02T03:04:06.000Z');
const ID = '8d6f2c1e-3b4a-4c5d-9e8f-0a1b2c3d4e5f';

const vm: VmRecord = {
  id: ID,
  project: 'default',
  name: 'dev',
  driver: 'process',
  status: 'running',
  statusReason: null,
  vcpus: 2,
  memoryMiB: 512,
  image: null,
  network: false,
  workerId: 'w1',
  metadata: { team: 'infra', nested: { n: 1 } },
  labels: { team: 'a' },
  isolation: { level: 'namespaces', kernel: 'shared', summary: 'user, pid, mount namespaces' },
  tools: {
    requested: [{ name: 'node', version: '20', required: true }],
    installed: [{ name: 'node', version: '20.19.0', origin: 'npm' }],
    missing: [{ name: 'bun', version: null, reason: 'the VM has no network' }],
    pathDirs: ['/home/user/.aether/tools/node_modules/.bin'],
  },
  createdAt: T0,
  updatedAt: T1,
  startedAt: T1,
  stoppedAt: null,
  lifetime: { ttlSeconds: 600, expiresAt: T1, idleTimeoutSeconds: 60, lastActiveAt: T1, onExpiry: 'delete' },
  restart: { policy: 'on-failure', max: 3, count: 1 },
  hibernatedAt: null,
};

const task: TaskRecord = {
  id: ID,
  project: 'default',
  type: 'vm:execute',
  status: 'failed',
  statusReason: 'command could not start',
  priority: 'high',
  payload: {
    vmId: ID,
    executionId: ID,
    exec: { command: 'x', args: [], env: {}, cwd: null, stdin: null, timeoutMs: 1000 },
  },
  result: null,
  error: { code: 'ERR_EXEC_SPAWN_FAILED', message: 'x: not found', retryable: false, details: { errno: 2 } },
  vmId: ID,
  workerId: 'w1',
  maxRetries: 0,
  retryCount: 0,
  fencingToken: 1,
  timeoutMs: 600_000,
  progress: {
    phase: 'tools',
    current: 1,
    total: 2,
    item: 'node',
    message: 'installing node',
    updatedAt: T0.toISOString(),
  },
  createdAt: T0,
  updatedAt: T1,
  startedAt: T0,
  completedAt: T1,
};

const execution: ExecutionRecord = {
  id: ID,
  project: 'default',
  vmId: ID,
  taskId: ID,
  jobId: null,
  command: 'sh',
  args: ['-c', 'echo hi'],
  env: { A: '1' },
  cwd: '/tmp',
  exitCode: 0,
  stdout: 'hi\n',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  timedOut: false,
  signal: null,
  error: null,
  startedAt: T0,
  completedAt: T1,
  durationMs: 322,
  createdAt: T0,
};

const job: JobRecord = {
  id: ID,
  project: 'default',
  name: 'build',
  vmId: ID,
  taskId: ID,
  status: 'failed',
  steps: [
    { command: 'make', args: [], env: {}, cwd: null, timeoutMs: 60_000 },
    { command: 'false', args: [], env: {}, cwd: '/src', timeoutMs: 1 },
  ],
  results: [
    { executionId: ID, exitCode: 0, error: null },
    {
      executionId: ID,
      exitCode: null,
      error: { code: 'ERR_EXEC_TIMEOUT', message: 'late', retryable: false },
    },
  ],
  createdAt: T0,
  updatedAt: T1,
};

const worker: WorkerRecord = {
  id: 'w1',
  host: 'node-1',
  drivers: ['process', 'docker'],
  capacity: 16,
  version: '0.1.0',
  dataUrl: null,
  status: 'active',
  statusReason: null,
  epoch: 3,
  activeTasks: 2,
  startedAt: T0,
  lastHeartbeatAt: T1,
  createdAt: T0,
  updatedAt: T1,
};

/** Encoding through the schema changes nothing, not even the order of the keys. */
function expectUnchanged(schema: z.ZodType, value: unknown): void {
  expect(JSON.stringify(z.encode(schema, value))).toBe(JSON.stringify(value));
}

describe('records through their response schemas', () => {
  it('a VM, live and deleted', () => {
    expectUnchanged(vmSchema, vmJson(vm));
    expectUnchanged(
      vmSchema,
      vmJson({
        ...vm,
        status: 'deleted',
        workerId: null,
        isolation: null,
        image: 'python:3.12',
        stoppedAt: T1,
      }),
    );
  });

  it('a task, failed with details and finished', () => {
    expectUnchanged(taskSchema, taskJson(task));
    expectUnchanged(
      taskSchema,
      taskJson({
        ...task,
        status: 'pending',
        error: null,
        startedAt: null,
        completedAt: null,
        workerId: null,
      }),
    );
  });

  it('an execution in every outcome', () => {
    const outcomes = [
      execution,
      { ...execution, completedAt: null },
      { ...execution, startedAt: null, completedAt: null, durationMs: null, exitCode: null },
      { ...execution, timedOut: true, exitCode: null, signal: 'SIGKILL' },
      { ...execution, exitCode: null, signal: 'SIGTERM' },
      {
        ...execution,
        exitCode: null,
        error: { code: 'ERR_WORKER_LOST' as const, message: 'gone', retryable: false },
      },
      {
        ...execution,
        exitCode: null,
        error: { code: 'ERR_TASK_CANCELLED' as const, message: 'no', retryable: false },
      },
    ];
    const seen = new Set<string>();
    for (const record of outcomes) {
      const json = executionJson(record);
      seen.add(json.outcome);
      expectUnchanged(executionSchema, json);
    }
    expect([...seen].sort()).toEqual([
      'cancelled',
      'exited',
      'pending',
      'running',
      'signalled',
      'timed_out',
      'unknown',
    ]);
  });

  it('a job with step results', () => {
    expectUnchanged(jobSchema, jobJson(job));
  });

  it('a worker', () => {
    expectUnchanged(workerSchema, workerJson(worker));
  });
});

describe('write answers through their response schemas', () => {
  it('a finished execution keeps the order the gateway writes', () => {
    expectUnchanged(executeDone, {
      task_id: ID,
      status: 'completed',
      task: taskJson({ ...task, status: 'completed', error: null }),
      execution_id: ID,
      vm_id: ID,
      timeout_ms: 30_000,
      execution: executionJson(execution),
    });
  });

  it('a failed write keeps its task and record next to the error; a refusal is the error alone', () => {
    const failed = {
      task_id: ID,
      status: 'failed',
      task: taskJson({ ...task, type: 'vm:create', payload: { vmId: ID } }),
      vm: vmJson({ ...vm, status: 'failed' }),
      error: task.error,
    };
    expectUnchanged(vmWriteError, failed);
    expectUnchanged(vmWriteError, {
      error: { code: 'ERR_VM_NOT_FOUND', message: 'no VM dev', retryable: false },
    });
  });

  it('drops what the contract does not name', () => {
    const leaked = { ...vmJson(vm), internal_path: '/var/lib/aether' };
    expect(z.encode(vmSchema, leaked)).not.toHaveProperty('internal_path');
  });
});
