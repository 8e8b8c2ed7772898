/**
 * Signals and streamed stdin reaching running executions through their worker's registry
 * (`worker.commands`, what the data plane calls), on a real node with the process driver: the
 * command, its process tree and its recorded outcome are all real.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { ExecuteRequest, Execution } from '@aetherium/sdk';
import { AetherApiError } from '@aetherium/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { LONGEST_COMMAND_TIMEOUT_MS } from '../../src/core/task.js';
import type { RunningCommands } from '../../src/worker/running-commands.js';
import { useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('signals and streamed stdin');
const node = useTestNode(canRun);
const VM = 'signals-vm';

beforeAll(async () => {
  if (canRun) await node().client.createVm({ name: VM }, { wait: true });
});

const commands = (): RunningCommands => node().node.worker!.commands;

async function start(request: ExecuteRequest): Promise<{ executionId: string; taskId: string }> {
  const accepted = await node().client.execute(VM, request);
  return { executionId: accepted.execution_id, taskId: accepted.task_id };
}

async function finished(run: { executionId: string; taskId: string }): Promise<Execution> {
  await node().node.services.tasks.wait(run.taskId, 60_000);
  return node().client.getExecution(run.executionId);
}

/** Host pids whose argv is exactly `argv`: the sandbox's processes are the host's too. */
function pidsRunning(argv: readonly string[]): number[] {
  const wanted = `${argv.join('\0')}\0`;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1') === wanted) pids.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

async function eventually(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A `sleep` argv no other process has: its marker on the host. */
const uniqueSleep = (): string[] => ['sleep', `300.${randomInt(100_000, 999_999)}`];

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as { code?: string; message: string },
  );
}

describe.skipIf(!canRun)('signals to a running execution', () => {
  it('SIGTERM reaches the command and a grandchild in its own session; recorded as signalled', async () => {
    const marker = uniqueSleep();
    const sleeper = marker.join(' ');
    const run = await start({ command: 'sh', args: ['-c', `setsid ${sleeper} & ${sleeper}`] });
    try {
      await eventually('both sleeps to run', () => pidsRunning(marker).length === 2);
      commands().signal(run.executionId, 'SIGTERM');
      const execution = await finished(run);
      expect(execution).toMatchObject({
        outcome: 'signalled',
        signal: 'SIGTERM',
        exit_code: null,
        timed_out: false,
      });
      await eventually('no sleep of the execution to remain', () => pidsRunning(marker).length === 0, 5000);
    } finally {
      for (const pid of pidsRunning(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  it('SIGKILL sent the moment the execution registers, before it runs, still lands', async () => {
    const marker = uniqueSleep();
    const run = await start({ command: marker[0]!, args: marker.slice(1) });
    try {
      while (!commands().has(run.executionId)) await nextTurn();
      commands().signal(run.executionId, 'SIGKILL');
      const execution = await finished(run);
      expect(execution).toMatchObject({ outcome: 'signalled', signal: 'SIGKILL', exit_code: null });
      expect(execution.duration_ms).toBeLessThan(30_000);
      expect(pidsRunning(marker)).toEqual([]);
    } finally {
      for (const pid of pidsRunning(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  it('is refused for an execution that has ended', async () => {
    const run = await start({ command: 'true' });
    await finished(run);
    expect(() => commands().signal(run.executionId, 'SIGTERM')).toThrow(
      expect.objectContaining({ code: 'ERR_EXECUTION_NOT_RUNNING' }),
    );
  });
});

describe.skipIf(!canRun)('streamed stdin of a running execution', () => {
  it('carries MiBs into sha256sum intact, fed before the execution even started', async () => {
    const data = randomBytes(4 * 1024 * 1024 + 3);
    const run = await start({ command: 'sha256sum', stdin_stream: true });
    const fed = await commands().feedStdin(run.executionId, chunksOf(data, 64 * 1024), { waitMs: 30_000 });
    expect(fed).toEqual({ bytes: data.length });
    const execution = await finished(run);
    expect(execution).toMatchObject({ outcome: 'exited', exit_code: 0 });
    expect(execution.stdout.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('closes stdin when the feeder fails midway; the feed rejects with its error', async () => {
    const run = await start({ command: 'wc', args: ['-c'], stdin_stream: true });
    const cut = new Error('connection cut');
    async function* body(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(100_000);
      yield new Uint8Array(23);
      throw cut;
    }
    expect(await rejection(commands().feedStdin(run.executionId, body(), { waitMs: 30_000 }))).toBe(cut);
    const execution = await finished(run);
    expect(execution).toMatchObject({ outcome: 'exited', exit_code: 0 });
    expect(execution.stdout.trim()).toBe('100023');
  });

  it('refuses a second feeder while the first one feeds', async () => {
    const run = await start({ command: 'cat', stdin_stream: true });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* first(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('one feeder\n');
      await held;
    }
    const feeding = commands().feedStdin(run.executionId, first(), { waitMs: 30_000 });
    await eventually('the execution to register', () => commands().has(run.executionId));
    const second = await rejection(
      commands().feedStdin(run.executionId, chunksOf(Buffer.from('two\n'), 4), { waitMs: 1000 }),
    );
    expect(second).toMatchObject({ code: 'ERR_EXECUTION_NOT_RUNNING' });
    expect(second.message).toContain('already has a stdin feeder');
    release();
    expect(await feeding).toEqual({ bytes: 11 });
    expect(await finished(run)).toMatchObject({ exit_code: 0, stdout: 'one feeder\n' });
  });

  it('gives up on an execution that does not exist after waitMs', async () => {
    const started = performance.now();
    const refused = await rejection(
      commands().feedStdin(newId(), chunksOf(Buffer.from('x'), 1), { waitMs: 200 }),
    );
    expect(refused).toMatchObject({ code: 'ERR_EXECUTION_NOT_RUNNING' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('without a feeder, the command sees an open, empty stdin until its limit', async () => {
    const run = await start({
      command: 'sh',
      args: ['-c', 'read line; echo "got $line"'],
      stdin_stream: true,
      timeout_ms: 1500,
    });
    expect(await finished(run)).toMatchObject({ outcome: 'timed_out', stdout: '' });
  });
});

describe.skipIf(!canRun)('the CLI', () => {
  it('exits 128+n for a command a signal ended, and shows the signal where an exit code goes', async () => {
    const exec = await runCli(node().url, ['exec', VM, '--', 'sh', '-c', 'kill -TERM $$']);
    expect(exec.code).toBe(128 + 15);
    const [latest] = await node().client.listExecutions(VM, 1);
    expect(latest).toMatchObject({ outcome: 'signalled', signal: 'SIGTERM' });
    const shown = await runCli(node().url, ['execution', latest!.id]);
    expect(shown.stdout).toMatch(/exit code\s+killed by SIGTERM/);
  });
});

describe.skipIf(!canRun)('execute request fields', () => {
  it('refuses stdin together with stdin_stream', async () => {
    const refused = await node()
      .client.execute(VM, { command: 'cat', stdin: 'text', stdin_stream: true })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AetherApiError);
    expect(refused).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect((refused as AetherApiError).message).toContain('stdin_stream');
  });

  it('timeout_ms 0 is the longest limit there is, and the task waits as long', async () => {
    const accepted = await node().client.execute(VM, { command: 'true', timeout_ms: 0 }, { wait: true });
    expect(accepted.timeout_ms).toBe(LONGEST_COMMAND_TIMEOUT_MS);
    const task = await node().client.getTask(accepted.task_id);
    expect(task.timeout_ms).toBeGreaterThan(LONGEST_COMMAND_TIMEOUT_MS);
    expect(task.payload).toMatchObject({ exec: { timeoutMs: LONGEST_COMMAND_TIMEOUT_MS } });
  });
});
