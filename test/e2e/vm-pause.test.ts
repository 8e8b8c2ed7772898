/**
 * Pausing and resuming a VM through the API and the CLI, on a real node with the process driver
 * (the cgroup freezer): a paused VM keeps its processes and memory, takes no commands and no
 * health verdict, and can still be stopped or deleted.
 */

import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { startTestNode, useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { isRoot, sandboxesAvailable } from '../support/sandboxes.js';

// Pausing a process-driver VM takes its cgroups, which a root worker has.
const canRun = (await sandboxesAvailable('VM pause')) && isRoot;
if (!isRoot) console.warn('[skip] VM pause end to end: the process driver pauses VMs only as root (cgroups)');
const node = useTestNode(canRun, { AETHER_HEALTH_INTERVAL_MS: '500' });

const TICKER = "setsid sh -c 'while :; do echo t >> ticks; sleep 0.05; done' </dev/null >/dev/null 2>&1 &";

describe.skipIf(!canRun)('pausing and resuming a VM', () => {
  it('freezes the VM where it stands and lets it run on, its processes and memory kept', async () => {
    const client = node().client;
    await client.createVm({ name: 'pausable' }, { wait: true });
    await client.execute('pausable', { command: 'sh', args: ['-c', TICKER] }, { wait: true });
    const count = async () =>
      Number(
        (await client.execute('pausable', { command: 'sh', args: ['-c', 'wc -l < ticks'] }, { wait: true }))
          .execution?.stdout,
      );

    const paused = await client.pauseVm('pausable', { wait: true });
    expect(paused.vm).toMatchObject({ status: 'paused', status_reason: 'user: paused on request' });
    expect(paused.task).toMatchObject({ type: 'vm:pause', status: 'completed' });
    const refused = await apiError(client.execute('pausable', { command: 'true' }, { wait: true }));
    expect(refused).toMatchObject({ status: 409, code: 'ERR_VM_NOT_RUNNING' });
    expect(refused.message).toMatch(/is paused/);
    expect(await apiError(client.pauseVm('pausable'))).toMatchObject({
      status: 409,
      code: 'ERR_INVALID_TRANSITION',
    });
    // Frozen past several health rounds: its silent agent is not taken for dead.
    await sleep(2_500);
    expect((await client.getVm('pausable')).status).toBe('paused');

    const resumed = await client.resumeVm('pausable', { wait: true });
    expect(resumed.vm).toMatchObject({ status: 'running', status_reason: 'user: resumed on request' });
    const first = await count();
    await sleep(500);
    expect(await count()).toBeGreaterThan(first);
    expect(await apiError(client.resumeVm('pausable'))).toMatchObject({
      status: 409,
      code: 'ERR_INVALID_TRANSITION',
    });

    await client.pauseVm('pausable', { wait: true });
    const deleted = await client.deleteVm('pausable', { wait: true });
    expect(deleted.vm.status).toBe('deleted');
  }, 90_000);

  it('is `aether vm pause|resume`, waiting by default, with --json; a paused VM still stops', async () => {
    const aether = (...args: string[]) => runCli(node().url, args);
    expect((await aether('vm', 'create', 'cli-pausable')).code).toBe(0);
    expect(await aether('vm', 'pause', 'cli-pausable')).toMatchObject({
      code: 0,
      stdout: 'cli-pausable paused\n',
    });
    const shown = JSON.parse((await aether('vm', 'get', 'cli-pausable', '--json')).stdout);
    expect(shown.status).toBe('paused');
    const resume = await aether('vm', 'resume', 'cli-pausable', '--json');
    expect(resume.code).toBe(0);
    expect(JSON.parse(resume.stdout)).toMatchObject({ status: 'completed', vm: { status: 'running' } });
    expect((await aether('vm', 'pause', 'cli-pausable')).code).toBe(0);
    expect(await aether('vm', 'stop', 'cli-pausable')).toMatchObject({
      code: 0,
      stdout: 'cli-pausable stopped\n',
    });
    expect((await aether('vm', 'start', 'cli-pausable')).code).toBe(0);
    expect((await aether('exec', 'cli-pausable', '--', 'echo', 'back')).stdout).toBe('back\n');
  }, 90_000);

  it('stays paused across a restart of its node (no health verdict on its silent agent), then resumes', async () => {
    const first = await startTestNode({ AETHER_HEALTH_INTERVAL_MS: '500' });
    const dataDir = first.dataDir;
    let second: Awaited<ReturnType<typeof startTestNode>> | null = null;
    try {
      await first.client.createVm({ name: 'sleeper' }, { wait: true });
      await first.client.execute(
        'sleeper',
        { command: 'sh', args: ['-c', 'echo kept > note'] },
        { wait: true },
      );
      await first.client.pauseVm('sleeper', { wait: true });
      // The node only, not stop() (which deletes VMs): the frozen sandbox stays as it is.
      await first.node.close();
      second = await startTestNode({ AETHER_HEALTH_INTERVAL_MS: '500' }, dataDir);
      await sleep(2_000);
      expect((await second.client.getVm('sleeper')).status).toBe('paused');
      expect((await second.client.resumeVm('sleeper', { wait: true })).vm.status).toBe('running');
      const read = await second.client.execute('sleeper', { command: 'cat', args: ['note'] }, { wait: true });
      expect(read.execution?.stdout).toBe('kept\n');
    } finally {
      if (second) await second.stop();
      else rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
