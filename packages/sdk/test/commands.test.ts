/**
 * `sandbox.commands` on a real embedded node: foreground results and their callbacks, argv
 * without a shell, working directory and environment, timeouts, background handles (output while
 * running, wait, kill), stdin given whole or streamed, an abort that kills, a second client
 * following the same command, and output kept whole across stream connections cut mid-run.
 */
import { createHash } from 'node:crypto';
import { Sandbox } from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import { startRelay } from '../../../test/support/stream-reader.js';
import { canRunSandboxes, eventually, useSandbox, useSdkNode } from './support/sdk-node.js';

const canRun = await canRunSandboxes('SDK commands');
const sdk = useSdkNode(canRun);

/** Output pieces with consecutive pieces of one stream joined (chunk boundaries are not contract). */
function joinRuns(pieces: readonly (readonly [string, string])[]): [string, string][] {
  const runs: [string, string][] = [];
  for (const [stream, text] of pieces) {
    const last = runs.at(-1);
    if (last && last[0] === stream) last[1] += text;
    else runs.push([stream, text]);
  }
  return runs;
}

describe.skipIf(!canRun)('sandbox.commands (embedded node)', () => {
  const sandbox = useSandbox(sdk, canRun);

  it('runs in the foreground: a non-zero exit is a result with both outputs', async () => {
    const result = await sandbox().commands.run('echo out; echo err >&2; exit 3');
    expect(result).toMatchObject({
      exitCode: 3,
      outcome: 'exited',
      signal: null,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    expect(result.execution).toMatchObject({ id: result.executionId, exit_code: 3 });
  });

  it('calls onStdout and onStderr with the text, in the order it was written', async () => {
    const pieces: [string, string][] = [];
    const stdoutBytes: Uint8Array[] = [];
    const result = await sandbox().commands.run(
      'echo one; sleep 0.2; echo two >&2; sleep 0.2; printf "thr\\303\\251e\\n"',
      {
        onStdout: (text, data) => {
          pieces.push(['stdout', text]);
          stdoutBytes.push(data);
        },
        onStderr: (text) => pieces.push(['stderr', text]),
      },
    );
    expect(joinRuns(pieces)).toEqual([
      ['stdout', 'one\n'],
      ['stderr', 'two\n'],
      ['stdout', 'thrée\n'],
    ]);
    expect(result.stdout).toBe('one\nthrée\n');
    // The exact bytes come with the text.
    expect(Buffer.concat(stdoutBytes).toString('utf8')).toBe('one\nthrée\n');
  });

  it('gives text as the stored execution does when the output ends inside a character', async () => {
    const texts: string[] = [];
    const result = await sandbox().commands.run("printf 'caf\\303\\251 \\342\\202'", {
      onStdout: (text) => texts.push(text),
    });
    expect(result.stdout).toBe('café \uFFFD');
    expect(result.stdout).toBe(result.execution.stdout);
    expect(texts.join('')).toBe(result.stdout);
  });

  it('runs an argv without a shell: $HOME, quotes and globs stay literal', async () => {
    const result = await sandbox().commands.run(['printf', '%s|', '$HOME', 'a b', '*', '"q"']);
    expect(result).toMatchObject({ exitCode: 0, stdout: '$HOME|a b|*|"q"|' });
    const shell = await sandbox().commands.run('echo $HOME');
    expect(shell.stdout).toBe('/home/user\n');
  });

  it('takes a working directory and environment variables', async () => {
    const result = await sandbox().commands.run('pwd; echo "$GREETING"', {
      cwd: '/tmp',
      env: { GREETING: 'hello there; $(not run)' },
    });
    expect(result.stdout).toBe('/tmp\nhello there; $(not run)\n');
  });

  it('ends a command that runs past timeoutMs: outcome timed_out, no exit code', async () => {
    const started = Date.now();
    const result = await sandbox().commands.run('echo begun; sleep 30', { timeoutMs: 500 });
    expect(result).toMatchObject({ outcome: 'timed_out', exitCode: null, stdout: 'begun\n' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('runs in the background: output can be read while it runs, then waited for', async () => {
    const handle = await sandbox().commands.run(
      'for i in 1 2 3 4 5; do echo tick $i; sleep 0.2; done; echo fin >&2',
      { background: true },
    );
    let text = '';
    let runningAtFirstOutput: string | null = null;
    for await (const output of handle) {
      if (runningAtFirstOutput === null) {
        runningAtFirstOutput = (await sdk.node().client.getExecution(handle.id)).outcome;
      }
      if (output.stream === 'stdout') text += output.text;
    }
    expect(runningAtFirstOutput).toBe('running');
    expect(text).toBe('tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n');
    const result = await handle.wait();
    expect(result).toMatchObject({ executionId: handle.id, exitCode: 0, stdout: text, stderr: 'fin\n' });
  });

  it('kills a background command: outcome signalled', async () => {
    const handle = await sandbox().commands.run('echo up; sleep 100', { background: true });
    for await (const output of handle) {
      // It is running: it printed.
      expect(output.text).toBe('up\n');
      break;
    }
    await handle.kill();
    const result = await handle.wait();
    expect(result).toMatchObject({ outcome: 'signalled', signal: 'SIGKILL', exitCode: null, stdout: 'up\n' });
    // Killing it again once it ended is what was wanted: no error.
    await handle.kill();
  });

  it('gives stdin as text or as bytes, whole', async () => {
    const text = await sandbox().commands.run('cat; echo', { stdin: 'line one\nline two' });
    expect(text.stdout).toBe('line one\nline two\n');
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const hashed = await sandbox().commands.run(['sha256sum'], { stdin: bytes });
    expect(hashed.stdout).toBe(`${createHash('sha256').update(bytes).digest('hex')}  -\n`);
  });

  it('streams stdin to a background command, write by write, until closed', async () => {
    const handle = await sandbox().commands.run(['cat'], { background: true, stdin: true });
    const sent = ['first line\n', 'second ', 'line\n', new TextEncoder().encode('bytes too\n'), 'no newline'];
    for (const piece of sent) await handle.sendStdin(piece);
    await handle.closeStdin();
    const result = await handle.wait();
    expect(result).toMatchObject({ exitCode: 0, stdout: 'first line\nsecond line\nbytes too\nno newline' });
    await expect(handle.sendStdin('after close')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    // A command started without `stdin: true` takes none.
    const closed = await sandbox().commands.run(['true'], { background: true });
    await expect(closed.sendStdin('x')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await closed.wait();
  });

  it('a write to stdin after the command ended rejects rather than waiting for ever', async () => {
    const handle = await sandbox().commands.run(['head', '-c', '3'], { background: true, stdin: true });
    await handle.sendStdin('abc');
    expect(await handle.wait()).toMatchObject({ exitCode: 0, stdout: 'abc' });
    // A write racing the end of the stdin request may still go out; once the gateway has said
    // the command ended, every write fails with that, and none waits for ever.
    const late = await eventually('a write after the end to be refused', () =>
      Promise.race([
        handle.sendStdin('more').then(
          () => undefined,
          (error: { code?: string }) => error.code,
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
      ]),
    );
    expect(late).toBe('ERR_EXECUTION_NOT_RUNNING');
    // Closing the stdin of a command that ended is what was wanted: no error.
    await handle.closeStdin();
  });

  it('an aborted foreground command rejects with the reason and is killed', async () => {
    const marker = `abort-${Date.now()}`;
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 500);
    const started = Date.now();
    await expect(sandbox().commands.run(`sleep 100 # ${marker}`, { signal: controller.signal })).rejects.toBe(
      reason,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    const client = sdk.node().client;
    const execution = await eventually('the aborted command to end', async () => {
      const found = (await client.listExecutions(sandbox().id, 20)).find((e) =>
        e.args.join(' ').includes(marker),
      );
      return found && found.outcome !== 'running' && found.outcome !== 'pending' ? found : undefined;
    });
    expect(execution).toMatchObject({ outcome: 'signalled', signal: 'SIGKILL' });
    expect((await sandbox().commands.list()).map((p) => p.execution_id)).not.toContain(execution.id);
  });

  it('an already aborted signal starts nothing', async () => {
    const marker = `pre-aborted-${Date.now()}`;
    const reason = new Error('too late');
    await expect(
      sandbox().commands.run(`echo ${marker}`, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    const executions = await sdk.node().client.listExecutions(sandbox().id, 20);
    expect(executions.filter((e) => e.args.join(' ').includes(marker))).toEqual([]);
  });

  it('follows a running command from a second Sandbox object by its execution id', async () => {
    const handle = await sandbox().commands.run('echo before; sleep 0.6; echo after; echo warn >&2; exit 4', {
      background: true,
    });
    const elsewhere = await Sandbox.connect(sandbox().id, sdk.connection());
    const heard: string[] = [];
    const followed = elsewhere.commands.connect(handle.id, { onStdout: (text) => heard.push(text) });
    const result = await followed.wait();
    expect(result).toMatchObject({
      executionId: handle.id,
      exitCode: 4,
      stdout: 'before\nafter\n',
      stderr: 'warn\n',
    });
    expect(heard.join('')).toBe('before\nafter\n');
    // The first handle sees the same thing.
    expect((await handle.wait()).stdout).toBe('before\nafter\n');
  });
});

describe.skipIf(!canRun)('command output across cut stream connections', () => {
  const sandbox = useSandbox(sdk, canRun);
  const LINES = 2000;
  // 2000 numbered lines over about 2 s: 100 at a time, then a pause.
  const script = `i=0; while [ $i -lt ${LINES} ]; do i=$((i+1)); echo "line $i"; [ $((i % 100)) -eq 0 ] && sleep 0.1; done; echo end >&2`;
  const expected = Array.from({ length: LINES }, (_, i) => `line ${i + 1}\n`).join('');

  it('delivers stdout whole, in order and once when the connection is severed twice mid-stream', async () => {
    const relay = await startRelay(new URL(sdk.connection().apiUrl));
    try {
      const through = await Sandbox.connect(sandbox().id, { ...sdk.connection(), apiUrl: relay.url });
      let lines = 0;
      const cutsAt: number[] = [];
      let firstCutAt = 0;
      const result = await through.commands.run(script, {
        onStdout: (text) => {
          lines += text.split('\n').length - 1;
          // Cut once early and once late, each while the command is still printing.
          if ((cutsAt.length === 0 && lines >= 400) || (cutsAt.length === 1 && lines >= 1300)) {
            cutsAt.push(lines);
            firstCutAt ||= Date.now();
            relay.dropStreams();
          }
        },
      });
      expect(cutsAt).toHaveLength(2);
      expect(relay.streamConnections()).toBeGreaterThanOrEqual(3);
      expect(result.stdout.length).toBe(expected.length);
      expect(result.stdout).toBe(expected);
      expect(result).toMatchObject({ exitCode: 0, stderr: 'end\n' });
      expect(lines).toBe(LINES);
      // The first cut came while the command was still printing, not during a replay.
      expect(firstCutAt).toBeLessThan(Date.parse(result.execution.completed_at!));
    } finally {
      await relay.close();
    }
  }, 30_000);
});
