/**
 * A foreground command with nobody following it live is one waited request, with the same result
 * as following it: output cut at the platform's limit alike, and a command that outlasts the
 * gateway's wait followed on its stream to its end. Its own node, with a small cap and a short wait.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canRunSandboxes, useSandbox, useSdkNode } from './support/sdk-node.js';

const canRun = await canRunSandboxes('SDK waited commands');
const sdk = useSdkNode(canRun, { AETHER_OUTPUT_LIMIT_BYTES: '65536', AETHER_WAIT_TIMEOUT_MS: '1500' });

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.skipIf(!canRun)('a foreground command without live callbacks', () => {
  const sandbox = useSandbox(sdk, canRun);

  it('answers from the one waited request when its output fits', async () => {
    const result = await sandbox().commands.run('printf "%s" small; echo oops >&2; exit 2');
    expect(result).toMatchObject({
      exitCode: 2,
      outcome: 'exited',
      stdout: 'small',
      stderr: 'oops\n',
    });
    expect(result.execution.stdout_truncated).toBe(false);
  });

  it('cuts output at the platform’s limit, as a followed command’s is (200 000 bytes, 64 KiB kept)', async () => {
    const command = 'seq 1 36000 | head -c 200000';
    const expected = Array.from({ length: 36000 }, (_, i) => `${i + 1}\n`)
      .join('')
      .slice(0, 65_536);
    const waited = await sandbox().commands.run(command);
    let live = '';
    const followed = await sandbox().commands.run(command, { onStdout: (text) => (live += text) });
    for (const result of [waited, followed]) {
      expect(result.execution.stdout_truncated).toBe(true);
      expect(sha256(result.stdout)).toBe(sha256(expected));
    }
    expect(live).toBe(followed.stdout);
  });

  it('follows a command that outlasts the gateway’s wait to its end', async () => {
    const result = await sandbox().commands.run('sleep 2.5; echo done; exit 4');
    expect(result).toMatchObject({ exitCode: 4, outcome: 'exited', stdout: 'done\n' });
  });

  it('rejects with the API’s error when the program cannot start, waited or followed', async () => {
    for (const options of [{}, { onStdout: () => {} }]) {
      await expect(sandbox().commands.run(['/no/such/program'], options)).rejects.toMatchObject({
        name: 'UnprocessableError',
        code: 'ERR_EXEC_SPAWN_FAILED',
      });
    }
  });
});
