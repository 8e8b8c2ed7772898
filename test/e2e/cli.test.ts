import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { useTestNode } from '../support/embedded-node.js';
import { gatewayKey } from '../support/gateway-keys.js';
import { CLI_ENTRY, runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('end-to-end VM');

const node = useTestNode(canRun);

const aether = (...args: string[]) => runCli(node().url, args);

describe.skipIf(!canRun)('the aether CLI against a running gateway', () => {
  it('walks the quick start: create, exec with persistence, list, inspect, delete', async () => {
    const created = await aether('vm', 'create', 'dev');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/status\s+running/);

    const write = await aether('exec', 'dev', '--', 'sh', '-c', 'echo hi > f && cat f');
    expect(write).toMatchObject({ code: 0, stdout: 'hi\n' });
    const read = await aether('exec', 'dev', '--', 'cat', 'f');
    expect(read).toMatchObject({ code: 0, stdout: 'hi\n' });

    const exitCode = await aether('exec', 'dev', '--', 'sh', '-c', 'exit 7');
    expect(exitCode.code).toBe(7);
    const missing = await aether('exec', 'dev', 'no-such-command', '-x');
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/ERR_EXEC_SPAWN_FAILED/);

    const ls = await aether('vm', 'ls');
    expect(ls.stdout).toMatch(/^NAME\s+ID\s+STATUS/);
    expect(ls.stdout).toMatch(/dev\s+\S+\s+running/);

    const get = JSON.parse((await aether('vm', 'get', 'dev', '--json')).stdout) as {
      name: string;
      status: string;
    };
    expect(get).toMatchObject({ name: 'dev', status: 'running' });

    const executions = JSON.parse((await aether('executions', 'dev', '--json')).stdout) as {
      task_id: string;
    }[];
    expect(executions).toHaveLength(4);
    const task = JSON.parse((await aether('task', 'get', executions[0]!.task_id, '--json')).stdout) as {
      type: string;
    };
    expect(task.type).toBe('vm:execute');

    const rm = await aether('vm', 'rm', 'dev');
    expect(rm.code).toBe(0);
    const gone = await aether('vm', 'get', 'dev');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/ERR_VM_NOT_FOUND/);
    // A dozen CLI processes, each loading TypeScript: slow on a busy 2-core machine.
  }, 90_000);

  it('runs a one-shot command and deletes its VM', async () => {
    const run = await aether('run', '--', 'uname', '-s');
    expect(run).toMatchObject({ code: 0, stdout: 'Linux\n' });
    const left = await node().client.listVms();
    expect(left.filter((vm) => vm.name.startsWith('run-'))).toEqual([]);
  });

  it('accepts the classic Go CLI flags', async () => {
    const created = await aether('-type', 'vm:create', '-name', 'classic', '-vcpus', '1', '-memory', '256');
    expect(created.code).toBe(0);
    const vmId = (JSON.parse(created.stdout) as { vm: { id: string } }).vm.id;
    const exec = await aether('-type', 'vm:execute', '-vm-id', vmId, '-cmd', 'echo', '-args', 'Hello World');
    expect((JSON.parse(exec.stdout) as { execution: { stdout: string } }).execution.stdout).toBe(
      'Hello World\n',
    );
    const deleted = await aether('-type', 'vm:delete', '-vm-id', vmId);
    expect(deleted.code).toBe(0);
  }, 60_000);

  it('stops quietly when its reader goes away (`| head`), exiting 0 without a stack trace', async () => {
    await aether('vm', 'create', 'piped');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI_ENTRY, 'exec', 'piped', '--', 'seq', '1', '300000'],
      {
        env: { ...process.env, AETHER_URL: node().url, AETHER_TOKEN: gatewayKey(node().url) ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // What `head -1` does: read the first line, then close its end of the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*:\d+/);
    expect(code).toBe(0);
    await aether('vm', 'rm', 'piped');
  });

  it('says what is wrong instead of a stack trace', async () => {
    const unknown = await aether('exec', 'missing-vm', '--', 'true');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^aether: ERR_VM_NOT_FOUND: /);
    const notFound = await runCli('http://127.0.0.1:9', ['vm', 'ls']);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toMatch(/cannot reach the gateway/);
    expect(notFound.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
