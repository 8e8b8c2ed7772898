import { describe, expect, it } from 'vitest';
import { useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('CLI options');

// A short default limit, so a command run without -t times out within the test.
const DEFAULT_EXEC_TIMEOUT_MS = 3000;
const node = useTestNode(canRun, { AETHER_EXECUTE_TIMEOUT_MS: String(DEFAULT_EXEC_TIMEOUT_MS) });

const aether = (...args: string[]) => runCli(node().url, args);

describe.skipIf(!canRun)('aether CLI options before or after positional arguments', () => {
  it('reads options after the VM name, up to --, and names the limit a command timed out at', async () => {
    const created = await aether('vm', 'create', 'opts', '--vcpus', '1', '--memory', '256', '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ vm: { name: 'opts', vcpus: 1, memory_mib: 256 } });

    // The README's own form: options between the VM and `--`.
    const timedOut = await aether('exec', 'opts', '--timeout', '400', '--', 'sleep', '30');
    expect(timedOut.stderr).not.toMatch(/ERR_EXEC_SPAWN_FAILED/);
    expect(timedOut).toMatchObject({ code: 124 });
    expect(timedOut.stderr).toMatch(/timed out after 400 ms/);

    const shaped = await aether(
      'exec',
      'opts',
      '-e',
      'A=1',
      '--cwd',
      '/tmp',
      '--',
      'sh',
      '-c',
      'echo $A; pwd',
    );
    expect(shaped).toMatchObject({ code: 0, stdout: '1\n/tmp\n' });

    // After `--`, words that look like our options are the command's.
    const literal = await aether('exec', 'opts', '-e', 'A=1', '--', 'printf', '%s\\n', '-t', '--timeout');
    expect(literal).toMatchObject({ code: 0, stdout: '-t\n--timeout\n' });

    const listed = await aether('executions', 'opts', '--limit', '1', '--json');
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
  }, 90_000);

  it('names the default limit, in milliseconds, when none was asked for', async () => {
    const timedOut = await aether('run', '--', 'sleep', '30');
    expect(timedOut).toMatchObject({ code: 124 });
    expect(timedOut.stderr).toMatch(new RegExp(`timed out after ${DEFAULT_EXEC_TIMEOUT_MS} ms`));
  }, 60_000);
});
