import { rmSync } from 'node:fs';
import type { AetherClient } from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import { startTestNode, type TestNode, useTestNode } from '../support/embedded-node.js';
import { agentPid, readSandboxRecord, sandboxProcesses, stillRunning } from '../support/sandbox-processes.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('VM health');

/** The promise: a dead VM is `failed` within this long of its death (default health interval). */
const DEATH_NOTICED_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the VM until it leaves `running` (or well past the deadline); how long that took. */
async function leftRunning(client: AetherClient, vmId: string, since: number) {
  for (;;) {
    const vm = await client.getVm(vmId);
    const afterMs = Date.now() - since;
    if (vm.status !== 'running' || afterMs > DEATH_NOTICED_MS * 2) return { vm, afterMs };
    await sleep(100);
  }
}

async function taskSettled(client: AetherClient, taskId: string, withinMs: number) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const task = await client.getTask(taskId);
    if (task.status !== 'pending' && task.status !== 'processing') return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status} after ${withinMs} ms`);
    await sleep(100);
  }
}

describe.skipIf(!canRun)('VM health checks (process driver)', () => {
  const node = useTestNode(canRun);

  /** A fresh VM and its sandbox's host processes, as they are before anything is killed. */
  async function runningVm(t: TestNode, name: string) {
    const { vm } = await t.client.createVm({ name }, { wait: true });
    const record = readSandboxRecord(t.dataDir, vm.id);
    return { vm, record, processes: sandboxProcesses(record) };
  }

  it('fails a VM whose agent is killed -9 from inside, within 10 s, leaving nothing running', async () => {
    const t = node();
    const { vm, processes } = await runningVm(t, 'health-agent-kill');
    const since = Date.now();
    // The command's parent is the agent (the guest's PID 1 is a small init whose only child it
    // is); the sandbox ends with the agent.
    const run = await t.client.execute(vm.id, { command: 'sh', args: ['-c', 'kill -9 $PPID; sleep 30'] });
    const { vm: after, afterMs } = await leftRunning(t.client, vm.id, since);
    expect(after.status, `VM ${vm.id}`).toBe('failed');
    expect(after.status_reason).toMatch(/^(sandbox_exited|agent_exited): /);
    expect(afterMs).toBeLessThan(DEATH_NOTICED_MS);
    const task = await taskSettled(t.client, run.task_id, 10_000);
    expect(task.status).toBe('failed');
    expect(stillRunning(processes)).toEqual([]);
    const again = await t.client.execute(vm.id, { command: 'true' }, { wait: true }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'ERR_VM_NOT_RUNNING' });
    await t.client.deleteVm(vm.id, { wait: true });
  }, 60_000);

  it('fails a VM whose sandbox processes are killed -9 from the host, with reason sandbox_exited', async () => {
    const t = node();
    const { vm, record, processes } = await runningVm(t, 'health-sandbox-kill');
    const since = Date.now();
    // The isolation tool leads the sandbox's process group: the whole sandbox at once.
    process.kill(-record.pid, 'SIGKILL');
    const { vm: after, afterMs } = await leftRunning(t.client, vm.id, since);
    expect(after.status, `VM ${vm.id}`).toBe('failed');
    expect(after.status_reason).toMatch(/^sandbox_exited: /);
    expect(afterMs).toBeLessThan(DEATH_NOTICED_MS);
    expect(stillRunning(processes)).toEqual([]);
    await t.client.deleteVm(vm.id, { wait: true });
  }, 60_000);

  it('fails a VM whose agent hangs, and ends the command running on it with ERR_VM_FAILED', async () => {
    const t = node();
    const { vm, processes } = await runningVm(t, 'health-agent-hang');
    const run = await t.client.execute(vm.id, { command: 'sleep', args: ['60'], timeout_ms: 120_000 });
    await sleep(500);
    const since = Date.now();
    // Stopped, not dead: the sandbox runs on and the socket stays open, but no ping is answered.
    process.kill(agentPid(processes), 'SIGSTOP');
    const { vm: after, afterMs } = await leftRunning(t.client, vm.id, since);
    expect(after.status, `VM ${vm.id}`).toBe('failed');
    expect(after.status_reason).toMatch(/^agent_unresponsive: /);
    expect(afterMs).toBeLessThan(DEATH_NOTICED_MS);
    const task = await taskSettled(t.client, run.task_id, 10_000);
    expect(task).toMatchObject({ status: 'failed', error: { code: 'ERR_VM_FAILED' } });
    expect(task.error?.message).toContain('agent_unresponsive');
    // What was left of the sandbox (the stopped agent, PID 1, the sleep) is gone too.
    for (let i = 0; i < 50 && stillRunning(processes).length > 0; i++) await sleep(100);
    expect(stillRunning(processes)).toEqual([]);
    await t.client.deleteVm(vm.id, { wait: true });
  }, 60_000);

  it('keeps a VM whose agent is busy with a long command running', async () => {
    const t = node();
    const { vm } = await runningVm(t, 'health-busy');
    // Longer than two health rounds: pings are answered while the command runs.
    const done = await t.client.execute(
      vm.id,
      { command: 'sh', args: ['-c', 'sleep 5; echo done'] },
      { wait: true },
    );
    expect(done.execution).toMatchObject({ exit_code: 0, stdout: 'done\n' });
    expect((await t.client.getVm(vm.id)).status).toBe('running');
    await t.client.deleteVm(vm.id, { wait: true });
  }, 60_000);
});

describe.skipIf(!canRun)('VM health at worker start-up', () => {
  it('fails a VM whose sandbox died while its worker was down', async () => {
    const first = await startTestNode();
    const dataDir = first.dataDir;
    let second: TestNode | null = null;
    try {
      const { vm } = await first.client.createVm({ name: 'health-restart' }, { wait: true });
      const record = readSandboxRecord(dataDir, vm.id);
      const processes = sandboxProcesses(record);
      // Stop the node only (not stop(), which deletes VMs): the sandbox keeps running ...
      await first.node.close();
      // ... until it is killed while no worker watches.
      process.kill(-record.pid, 'SIGKILL');
      for (let i = 0; i < 50 && stillRunning(processes).length > 0; i++) await sleep(100);

      second = await startTestNode({}, dataDir);
      // The start-up reconcile looked already: the store no longer says it runs.
      const after = await second.client.getVm(vm.id);
      expect(after.status).toBe('failed');
      expect(after.status_reason).toMatch(/^sandbox_exited: /);
    } finally {
      if (second) await second.stop();
      else rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
