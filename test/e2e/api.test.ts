import { AetherApiError } from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { SYSTEM_ACCESS } from '../../src/core/principal.js';
import { startTestNode, useTestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('end-to-end VM');

const node = useTestNode(canRun);

async function post(
  path: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  const res = await fetch(`${node().url}/api/v1${path}`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${node().node.localAdminKey}`, ...headers },
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

async function expectApiError(
  promise: Promise<unknown>,
  status: number,
  code: string,
): Promise<AetherApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AetherApiError);
  expect((error as AetherApiError).status).toBe(status);
  expect((error as AetherApiError).code).toBe(code);
  return error as AetherApiError;
}

describe.skipIf(!canRun)('a VM end to end over REST', () => {
  it('creates, executes with persistence, lists executions and deletes', async () => {
    const created = await node().client.createVm({ name: 'e2e-dev' }, { wait: true });
    expect(created.status).toBe('completed');
    expect(created.vm.status).toBe('running');
    expect(created.vm.isolation?.kernel).toBe('shared');
    expect(created.vm).toMatchObject({ image: null, network: false });

    const first = await node().client.execute(
      'e2e-dev',
      { command: 'sh', args: ['-c', 'echo hi > f && cat f'] },
      { wait: true },
    );
    expect(first.execution?.stdout).toBe('hi\n');
    expect(first.execution?.exit_code).toBe(0);

    const second = await node().client.execute('e2e-dev', { command: 'cat', args: ['f'] }, { wait: true });
    expect(second.execution?.stdout).toBe('hi\n');

    const failing = await node().client.execute(
      'e2e-dev',
      { command: 'sh', args: ['-c', 'echo oops >&2; exit 3'] },
      { wait: true },
    );
    expect(failing.execution).toMatchObject({ exit_code: 3, stderr: 'oops\n' });

    const executions = await node().client.listExecutions('e2e-dev');
    expect(executions.map((e) => e.command)).toEqual(['sh', 'cat', 'sh']);
    expect((await node().client.getExecution(first.execution_id)).stdout).toBe('hi\n');

    const task = await node().client.getTask(first.task_id);
    expect(task).toMatchObject({ type: 'vm:execute', status: 'completed' });

    const byId = await node().client.getVm(created.vm.id);
    expect(byId).toMatchObject({ name: 'e2e-dev', image: null, network: false });

    const deleted = await node().client.deleteVm('e2e-dev', { wait: true });
    expect(deleted.vm.status).toBe('deleted');
    await expectApiError(node().client.getVm('e2e-dev'), 404, 'ERR_VM_NOT_FOUND');
    expect((await node().client.getVm(created.vm.id)).status).toBe('deleted');
  });

  it('answers 202 with a task id without ?wait and the task finishes on its own', async () => {
    const accepted = await node().client.createVm({ name: 'e2e-async' });
    expect(accepted.status).toBe('pending');
    let task = await node().client.getTask(accepted.task_id);
    for (let i = 0; i < 100 && task.status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      task = await node().client.getTask(accepted.task_id);
    }
    expect(task.status).toBe('completed');
    await node().client.deleteVm('e2e-async', { wait: true });
  });

  it('streams output as NDJSON and ends with the exit line', async () => {
    await node().client.createVm({ name: 'e2e-stream' }, { wait: true });
    const lines = [];
    for await (const line of node().client.executeStream('e2e-stream', {
      command: 'sh',
      args: ['-c', 'echo one; echo two >&2; exit 4'],
    })) {
      lines.push(line);
    }
    expect(lines[0]?.type).toBe('task');
    const stdout = lines
      .filter((l) => l.type === 'stdout')
      .map((l) => (l as { data: string }).data)
      .join('');
    const stderr = lines
      .filter((l) => l.type === 'stderr')
      .map((l) => (l as { data: string }).data)
      .join('');
    expect(stdout).toBe('one\n');
    expect(stderr).toBe('two\n');
    expect(lines.at(-1)).toMatchObject({ type: 'exit', exit_code: 4, timed_out: false });

    const failed = [];
    for await (const line of node().client.executeStream('e2e-stream', { command: 'no-such-command' }))
      failed.push(line);
    expect(failed.map((l) => l.type)).toEqual(['task', 'error']);
    expect(failed[1]).toMatchObject({ error: { code: 'ERR_EXEC_SPAWN_FAILED' } });
    await node().client.deleteVm('e2e-stream', { wait: true });
  });

  it('passes env, cwd and stdin, and kills a command at its timeout', async () => {
    await node().client.createVm({ name: 'e2e-opts' }, { wait: true });
    const res = await node().client.execute(
      'e2e-opts',
      {
        command: 'sh',
        args: ['-c', 'echo "$GREETING $(pwd)"; cat'],
        env: { GREETING: 'hello' },
        cwd: '/tmp',
        stdin: 'piped',
      },
      { wait: true },
    );
    expect(res.execution?.stdout).toBe('hello /tmp\npiped');
    const slow = await node().client.execute(
      'e2e-opts',
      { command: 'sleep', args: ['30'], timeout_ms: 300 },
      { wait: true },
    );
    expect(slow.execution).toMatchObject({ timed_out: true, exit_code: null });
    expect(slow.execution!.duration_ms!).toBeLessThan(5_000);
    await node().client.deleteVm('e2e-opts', { wait: true });
  });

  it('runs a job step by step and stops at the first failure', async () => {
    await node().client.createVm({ name: 'e2e-job' }, { wait: true });
    const res = await node().client.runJob(
      'e2e-job',
      {
        name: 'build',
        steps: [
          { command: 'sh', args: ['-c', 'echo built > out'] },
          { command: 'false' },
          { command: 'cat', args: ['out'] },
        ],
      },
      { wait: true },
    );
    expect(res.job.status).toBe('failed');
    expect(res.job.results.map((r) => r.exit_code)).toEqual([0, 1]);
    await node().client.deleteVm('e2e-job', { wait: true });
  });

  it('caps stored output and marks it truncated', async () => {
    const small = await startTestNode({ AETHER_OUTPUT_LIMIT_BYTES: '1000' });
    try {
      await small.client.createVm({ name: 'cap' }, { wait: true });
      const res = await small.client.execute(
        'cap',
        { command: 'head', args: ['-c', '5000', '/dev/zero'] },
        { wait: true },
      );
      expect(res.execution?.stdout.length).toBe(1000);
      expect(res.execution?.stdout_truncated).toBe(true);
      expect(res.execution?.stderr_truncated).toBe(false);
    } finally {
      await small.stop();
    }
  });
});

describe.skipIf(!canRun)('bad input gets a clear 4xx and changes nothing', () => {
  it('unknown VM → 404 ERR_VM_NOT_FOUND', async () => {
    await expectApiError(node().client.getVm('nope'), 404, 'ERR_VM_NOT_FOUND');
    await expectApiError(node().client.execute('nope', { command: 'true' }), 404, 'ERR_VM_NOT_FOUND');
    await expectApiError(node().client.deleteVm('nope'), 404, 'ERR_VM_NOT_FOUND');
    await expectApiError(node().client.getTask('nope'), 404, 'ERR_TASK_NOT_FOUND');
    await expectApiError(node().client.getExecution('nope'), 404, 'ERR_EXECUTION_NOT_FOUND');
  });

  it('duplicate name → 409 ERR_VM_NAME_TAKEN, and the first VM is untouched', async () => {
    await node().client.createVm({ name: 'e2e-dup' }, { wait: true });
    await expectApiError(node().client.createVm({ name: 'e2e-dup' }), 409, 'ERR_VM_NAME_TAKEN');
    expect((await node().client.getVm('e2e-dup')).status).toBe('running');
    await node().client.deleteVm('e2e-dup', { wait: true });
  });

  it('out-of-range sizes, bad names and empty commands → 400 naming the field', async () => {
    const big = await expectApiError(
      node().client.createVm({ name: 'x', vcpus: 1000 }),
      400,
      'ERR_VALIDATION',
    );
    expect(big.message).toMatch(/vcpus/);
    const small = await expectApiError(
      node().client.createVm({ name: 'x', memory_mib: 1 }),
      400,
      'ERR_VALIDATION',
    );
    expect(small.message).toMatch(/memory_mib/);
    await expectApiError(node().client.createVm({ name: 'Bad Name!' }), 400, 'ERR_VALIDATION');
    await node().client.createVm({ name: 'e2e-bad' }, { wait: true });
    const empty = await expectApiError(
      node().client.execute('e2e-bad', { command: '' }),
      400,
      'ERR_VALIDATION',
    );
    expect(empty.message).toMatch(/command/);
    await expectApiError(node().client.execute('e2e-bad', { command: 'a\u0000b' }), 400, 'ERR_VALIDATION');
    await node().client.deleteVm('e2e-bad', { wait: true });
    expect((await node().client.listVms()).some((vm) => vm.name === 'x')).toBe(false);
  });

  it('a name in the form of a VM id → 400 ERR_VALIDATION, over REST and through the service', async () => {
    const first = (await node().client.createVm({ name: 'e2e-first' }, { wait: true })).vm;
    // Another VM's id as a name would take that id over for lookups by name; any id-shaped name is refused.
    for (const name of [first.id, newId()]) {
      const refused = await expectApiError(node().client.createVm({ name }), 400, 'ERR_VALIDATION');
      expect(refused.message).toMatch(/name: must not have the form of a VM id .*choose another name/);
      await expect(node().node.services.vms.create(SYSTEM_ACCESS, { name })).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
        message: expect.stringMatching(/must not have the form of a VM id/),
      });
    }
    expect((await node().client.getVm(first.id)).name).toBe('e2e-first');
    const names = (await node().client.listVms({ includeDeleted: true })).map((vm) => vm.name);
    expect(names).not.toContain(first.id);
    await node().client.deleteVm(first.id, { wait: true });
  });

  it('image or network on the process driver → 400 naming the driver that supports it', async () => {
    // No driver named: the node's default (process) is the one checked.
    const image = await expectApiError(
      node().client.createVm({ name: 'e2e-image', image: 'python:3.12-slim' }),
      400,
      'ERR_VALIDATION',
    );
    expect(image.message).toMatch(/^image needs the docker driver .*process driver/);
    await expectApiError(
      node().client.createVm({ name: 'e2e-image', driver: 'process', image: 'aetherium/guest:latest' }),
      400,
      'ERR_VALIDATION',
    );
    const network = await expectApiError(
      node().client.createVm({ name: 'e2e-net', network: true }),
      400,
      'ERR_VALIDATION',
    );
    expect(network.message).toMatch(/^network needs the docker driver .*process driver/);
    for (const bad of ['Python:3', '../etc/passwd', 'a..b', '-x', '']) {
      const malformed = await expectApiError(
        node().client.createVm({ name: 'e2e-image', image: bad }),
        400,
        'ERR_VALIDATION',
      );
      expect(malformed.message).toMatch(/image/);
    }
    const names = (await node().client.listVms({ includeDeleted: true })).map((vm) => vm.name);
    expect(names).not.toContain('e2e-image');
    expect(names).not.toContain('e2e-net');

    const offline = await node().client.createVm({ name: 'e2e-offline', network: false }, { wait: true });
    expect(offline.vm).toMatchObject({ status: 'running', image: null, network: false });
    await node().client.deleteVm('e2e-offline', { wait: true });
  });

  it('malformed JSON → 400 ERR_BAD_JSON; oversized body → 413', async () => {
    const bad = await post('/vms', '{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('ERR_BAD_JSON');
    const huge = await post(
      '/vms',
      JSON.stringify({ name: 'x', metadata: { blob: 'x'.repeat(2 * 1024 * 1024) } }),
    );
    expect(huge.status).toBe(413);
    expect(huge.body.error?.code).toBe('ERR_BODY_TOO_LARGE');
  });

  it('a command that does not exist fails with ERR_EXEC_SPAWN_FAILED, not an exit code', async () => {
    await node().client.createVm({ name: 'e2e-spawn' }, { wait: true });
    const error = await expectApiError(
      node().client.execute('e2e-spawn', { command: 'no-such-command-here' }, { wait: true }),
      422,
      'ERR_EXEC_SPAWN_FAILED',
    );
    expect(error.message).toMatch(/no-such-command-here/);
    await node().client.deleteVm('e2e-spawn', { wait: true });
  });

  it('exec on a VM that is not running → 409 ERR_VM_NOT_RUNNING', async () => {
    await node().client.createVm({ name: 'e2e-gone' }, { wait: true });
    await node().client.deleteVm('e2e-gone');
    const vm = (await node().client.listVms({ includeDeleted: true })).find((v) => v.name === 'e2e-gone')!;
    await expectApiError(node().client.execute(vm.id, { command: 'true' }), 409, 'ERR_VM_NOT_RUNNING').catch(
      async () => {
        // Already deleted by the time we asked: then it is simply gone.
        await expectApiError(node().client.execute(vm.id, { command: 'true' }), 404, 'ERR_VM_NOT_FOUND');
      },
    );
  });

  it('unknown routes → 404 ERR_NOT_FOUND; readiness reports each component', async () => {
    const res = await fetch(`${node().url}/api/v1/nothing`, {
      headers: { authorization: `Bearer ${node().node.localAdminKey}` },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_NOT_FOUND');
    const ready = await node().client.ready();
    expect(ready.status).toBe('ok');
    expect(Object.keys(ready.components).sort()).toEqual(['events', 'queue', 'store', 'workers']);
  });

  it('serves an OpenAPI document of the routes', async () => {
    const doc = (await (await fetch(`${node().url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/vms',
        '/api/v1/vms/{id}',
        '/api/v1/vms/{id}/execute',
        '/api/v1/tasks/{id}',
      ]),
    );
  });
});
