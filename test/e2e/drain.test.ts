import { once } from 'node:events';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SYSTEM_ACCESS } from '../../src/core/principal.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('worker drain');

/** Waits until the execution has started in its VM (so a stop finds it running). */
async function untilRunning(node: TestNode, executionId: string): Promise<void> {
  await expect
    .poll(async () => (await node.client.getExecution(executionId)).outcome, { timeout: 10_000 })
    .toBe('running');
}

describe.skipIf(!canRun)('a stopping worker drains', () => {
  it('lets a running command finish within the drain deadline', async () => {
    const node = await startTestNode({ AETHER_DRAIN_TIMEOUT_MS: '10000' });
    let again: TestNode | null = null;
    try {
      await node.client.createVm({ name: 'drain-ok' }, { wait: true });
      const { execution_id } = await node.client.execute('drain-ok', {
        command: 'sh',
        args: ['-c', 'sleep 1; echo finished'],
      });
      await untilRunning(node, execution_id);
      await node.node.close();
      again = await startTestNode({}, node.dataDir);
      const execution = await again.client.getExecution(execution_id);
      expect(execution).toMatchObject({ outcome: 'exited', exit_code: 0, stdout: 'finished\n' });
      const [worker] = await again.client.listWorkers();
      expect(worker).toMatchObject({ status: 'active', epoch: 2 });
    } finally {
      if (again) await again.stop();
      else rmSync(node.dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('past the deadline, ends a command with an unknown outcome and hands a retry-safe one back', async () => {
    const node = await startTestNode({ AETHER_DRAIN_TIMEOUT_MS: '300' });
    let again: TestNode | null = null;
    try {
      await node.client.createVm({ name: 'drain-late' }, { wait: true });
      const plain = await node.client.execute('drain-late', { command: 'sleep', args: ['30'] });
      const safe = await node.client.execute('drain-late', {
        command: 'sh',
        args: ['-c', 'echo run >> runs; sleep 2; cat runs | wc -l'],
        retry_safe: true,
      });
      await untilRunning(node, plain.execution_id);
      await untilRunning(node, safe.execution_id);
      const stopping = node.node.close();
      await sleep(100);
      await stopping;

      again = await startTestNode({}, node.dataDir);
      const cut = await again.client.getExecution(plain.execution_id);
      expect(cut.outcome).toBe('unknown');
      expect(cut.error?.code).toBe('ERR_WORKER_DRAINING');
      expect((await again.client.getTask(plain.task_id)).status).toBe('failed');
      // The retry-safe command went back to the queue and ran again on the next start.
      await expect
        .poll(async () => (await again!.client.getTask(safe.task_id)).status, { timeout: 20_000 })
        .toBe('completed');
      const rerun = await again.client.getExecution(safe.execution_id);
      expect(rerun).toMatchObject({ outcome: 'exited', exit_code: 0 });
      expect(rerun.stdout.trim()).toBe('2');
    } finally {
      if (again) await again.stop();
      else rmSync(node.dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe.skipIf(!canRun)('a closing gateway', () => {
  it('answers a waiting request with 503 ERR_SHUTTING_DOWN at once, and the task goes on', async () => {
    const node = await startTestNode();
    try {
      await node.client.createVm({ name: 'gw-close' }, { wait: true });
      const waiting = node.client
        .execute('gw-close', { command: 'sh', args: ['-c', 'sleep 1; echo done'] }, { wait: true })
        .then(
          () => null,
          (error: unknown) => error,
        );
      await expect
        .poll(
          async () =>
            (await node.node.services.executions.list(SYSTEM_ACCESS, 'gw-close')).at(0)?.startedAt ?? null,
          {
            timeout: 10_000,
          },
        )
        .not.toBeNull();
      const closedAt = Date.now();
      await node.node.app!.close();
      const error = (await waiting) as { status?: number; code?: string; message?: string } | null;
      expect(error).toMatchObject({ status: 503, code: 'ERR_SHUTTING_DOWN' });
      expect(Date.now() - closedAt).toBeLessThan(5_000);
      const [execution] = await node.node.services.executions.list(SYSTEM_ACCESS, 'gw-close');
      const task = await node.node.services.tasks.wait(execution!.taskId!, 10_000);
      expect(task.status).toBe('completed');
      expect((await node.node.services.executions.get(SYSTEM_ACCESS, execution!.id)).stdout).toBe('done\n');
    } finally {
      await node.stop();
    }
  }, 60_000);

  it('closes while a client holds a connection it has sent nothing on', async () => {
    const node = await startTestNode();
    const spare = net.connect({ host: '127.0.0.1', port: Number(new URL(node.url).port) });
    try {
      await once(spare, 'connect');
      const ended = once(spare, 'close');
      // Node leaves a connection with no request yet out of the idle ones a close ends; a
      // client's spare one (undici may keep one after an aborted request) must not hold the stop.
      const closing = node.node.app!.close().then(() => 'closed');
      expect(await Promise.race([closing, sleep(5_000).then(() => 'still waiting')])).toBe('closed');
      await ended;
    } finally {
      spare.destroy();
      await node.stop();
    }
  }, 60_000);
});
