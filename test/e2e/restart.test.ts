import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('end-to-end VM');

describe.skipIf(!canRun)('state survives a restart of aether up', () => {
  it('keeps VMs, their files and their history, and the worker picks the sandbox up again', async () => {
    const first = await startTestNode();
    const dataDir = first.dataDir;
    let second: Awaited<ReturnType<typeof startTestNode>> | null = null;
    try {
      const { vm } = await first.client.createVm({ name: 'survivor' }, { wait: true });
      await first.client.execute(
        'survivor',
        { command: 'sh', args: ['-c', 'echo kept > note'] },
        { wait: true },
      );
      // Stop the node only (not stop(), which deletes VMs): the sandbox keeps running.
      await first.node.close();

      second = await startTestNode({}, dataDir);
      const again = await second.client.getVm('survivor');
      expect(again).toMatchObject({ id: vm.id, status: 'running' });
      const read = await second.client.execute(
        'survivor',
        { command: 'cat', args: ['note'] },
        { wait: true },
      );
      expect(read.execution?.stdout).toBe('kept\n');
      expect(await second.client.listExecutions('survivor')).toHaveLength(2);
    } finally {
      if (second) await second.stop();
      else rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe.skipIf(!canRun)('a restart loses no task', () => {
  it('re-runs what was pending, and fails a command that was running with ERR_TASK_INTERRUPTED', async () => {
    const first = await startTestNode();
    const dataDir = first.dataDir;
    let second: Awaited<ReturnType<typeof startTestNode>> | null = null;
    try {
      const { vm } = await first.client.createVm({ name: 'interrupted' }, { wait: true });
      const store = first.node.backends.store;
      const workerId = first.node.worker!.id;
      const exec = { command: 'true', args: [], env: {}, cwd: null, stdin: null, timeoutMs: 5_000 };
      // A task the store recorded but the queue never got (the process died in between) ...
      const pendingId = randomUUID();
      const pendingExecution = randomUUID();
      await store.insertTask(
        {
          id: pendingId,
          project: 'default',
          type: 'vm:execute',
          priority: 'default',
          payload: { vmId: vm.id, executionId: pendingExecution, exec },
          vmId: vm.id,
          maxRetries: 0,
          timeoutMs: 30_000,
        },
        {
          id: pendingExecution,
          project: 'default',
          vmId: vm.id,
          taskId: pendingId,
          jobId: null,
          command: 'true',
          args: [],
          env: {},
          cwd: null,
        },
      );
      // ... and one this worker was running when it died.
      const runningId = randomUUID();
      const runningExecution = randomUUID();
      await store.insertTask(
        {
          id: runningId,
          project: 'default',
          type: 'vm:execute',
          priority: 'default',
          payload: { vmId: vm.id, executionId: runningExecution, exec },
          vmId: vm.id,
          maxRetries: 0,
          timeoutMs: 30_000,
        },
        {
          id: runningExecution,
          project: 'default',
          vmId: vm.id,
          taskId: runningId,
          jobId: null,
          command: 'true',
          args: [],
          env: {},
          cwd: null,
        },
      );
      await store.transitionTask(
        runningId,
        { from: ['pending'], to: 'processing', reason: 'test' },
        { workerId },
      );
      await first.node.close();

      second = await startTestNode({}, dataDir);
      const ran = await second.node.services.tasks.wait(pendingId, 10_000);
      expect(ran.status).toBe('completed');
      const interrupted = await second.client.getTask(runningId);
      expect(interrupted).toMatchObject({ status: 'failed', error: { code: 'ERR_TASK_INTERRUPTED' } });
      const execution = await second.client.getExecution(runningExecution);
      expect(execution.error?.code).toBe('ERR_TASK_INTERRUPTED');
      expect(execution.completed_at).not.toBeNull();
    } finally {
      if (second) await second.stop();
      else rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe.skipIf(!canRun)('a worker that comes back', () => {
  it('takes back a VM the cluster declared lost while it was away, if its sandbox is intact', async () => {
    const first = await startTestNode();
    const dataDir = first.dataDir;
    let second: Awaited<ReturnType<typeof startTestNode>> | null = null;
    try {
      const { vm } = await first.client.createVm({ name: 'returner' }, { wait: true });
      await first.client.execute(
        'returner',
        { command: 'sh', args: ['-c', 'echo still > here'] },
        { wait: true },
      );
      // What the reaper does to a worker silent past its grace.
      await first.node.backends.store.transitionVm(vm.id, {
        from: ['running'],
        to: 'lost',
        reason: 'worker_lost',
      });
      await first.node.close();

      second = await startTestNode({}, dataDir);
      expect(await second.client.getVm('returner')).toMatchObject({
        status: 'running',
        status_reason: expect.stringContaining('came back with the sandbox intact'),
      });
      const read = await second.client.execute(
        'returner',
        { command: 'cat', args: ['here'] },
        { wait: true },
      );
      expect(read.execution?.stdout).toBe('still\n');
    } finally {
      if (second) await second.stop();
      else rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
