import { describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('end-to-end VM');

const node = useTestNode(canRun);

describe.skipIf(!canRun)('stopping and starting a VM', () => {
  it('keeps its files across a stop and a start; commands are refused while it is stopped', async () => {
    const client = node().client;
    await client.createVm({ name: 'sleeper' }, { wait: true });
    await client.execute('sleeper', { command: 'sh', args: ['-c', 'echo kept > note'] }, { wait: true });

    const stopped = await client.stopVm('sleeper', { wait: true });
    expect(stopped.vm).toMatchObject({ status: 'stopped', status_reason: 'user: stopped on request' });
    expect(stopped.vm.stopped_at).not.toBeNull();
    const refused = await apiError(client.execute('sleeper', { command: 'true' }, { wait: true }));
    expect(refused).toMatchObject({ status: 409, code: 'ERR_VM_NOT_RUNNING' });
    expect(await apiError(client.stopVm('sleeper'))).toMatchObject({
      status: 409,
      code: 'ERR_INVALID_TRANSITION',
    });

    const started = await client.startVm('sleeper', { wait: true });
    expect(started.vm.status).toBe('running');
    expect(started.task).toMatchObject({ type: 'vm:start', status: 'completed' });
    const read = await client.execute('sleeper', { command: 'cat', args: ['note'] }, { wait: true });
    expect(read.execution?.stdout).toBe('kept\n');
    expect(await apiError(client.startVm('sleeper'))).toMatchObject({
      status: 409,
      code: 'ERR_INVALID_TRANSITION',
    });

    const deleted = await client.deleteVm('sleeper', { wait: true });
    expect(deleted.vm).toMatchObject({ status: 'deleted', status_reason: 'user: deleted on request' });
  }, 90_000);

  it('is `aether vm stop|start`, waiting by default, with --json', async () => {
    const aether = (...args: string[]) => runCli(node().url, args);
    expect((await aether('vm', 'create', 'cli-sleeper')).code).toBe(0);
    expect((await aether('exec', 'cli-sleeper', '--', 'sh', '-c', 'echo cli > f')).code).toBe(0);
    const stop = await aether('vm', 'stop', 'cli-sleeper');
    expect(stop).toMatchObject({ code: 0, stdout: 'cli-sleeper stopped\n' });
    const start = await aether('vm', 'start', 'cli-sleeper', '--json');
    expect(start.code).toBe(0);
    expect(JSON.parse(start.stdout)).toMatchObject({ status: 'completed', vm: { status: 'running' } });
    expect((await aether('exec', 'cli-sleeper', '--', 'cat', 'f')).stdout).toBe('cli\n');
  }, 90_000);
});
