/**
 * The quick start needs no key handling: the CLI finds the key its gateway saved in the
 * credentials file. And `aether key create|ls|revoke` work as documented.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestNode } from '../support/embedded-node.js';
import { runCommand } from '../support/run-command.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), '../support/cli-entry.ts');
const canRun = await sandboxesAvailable('CLI key handling');
const node = useTestNode(canRun);

/** `aether ARGS` as a user on this host runs it: no AETHER_TOKEN, the saved credentials only. */
async function aether(args: string[], env: Record<string, string> = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.AETHER_TOKEN;
  return runCommand([process.execPath, '--import', 'tsx', ENTRY, ...args], {
    env: {
      ...base,
      AETHER_URL: node().url,
      AETHER_CREDENTIALS_FILE: path.join(node().dataDir, 'credentials.json'),
      ...env,
    },
    timeoutMs: 60_000,
  });
}

describe.skipIf(!canRun)('CLI credentials and keys', () => {
  it('uses the key the gateway saved, also when the URL names localhost instead of 127.0.0.1', async () => {
    const listed = await aether(['vm', 'ls', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    const port = new URL(node().url).port;
    const byName = await aether(['vm', 'ls', '--json'], { AETHER_URL: `http://localhost:${port}` });
    expect(byName.code, byName.stderr).toBe(0);
  });

  it('without any credentials says how to get them, in one line', async () => {
    const run = await aether(['vm', 'ls'], { AETHER_CREDENTIALS_FILE: '/nonexistent/credentials.json' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^aether: ERR_UNAUTHENTICATED: send a valid API key or JWT .*\n$/);
  });

  it('key create prints the key once; it works as AETHER_TOKEN; ls shows it without the secret; revoke ends it', async () => {
    const created = await aether([
      'key',
      'create',
      'ci runner',
      '--project',
      'team-a',
      '--expires-in-days',
      '30',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^aek_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$/);
    expect(created.stderr).toMatch(/for project team-a, expires .*shown only now/);
    const id = secret.slice(4, 16);

    const asTeam = await aether(['vm', 'ls', '--json'], { AETHER_TOKEN: secret });
    expect(asTeam.code, asTeam.stderr).toBe(0);

    const ls = await aether(['key', 'ls']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(new RegExp(`${id}\\s+ci runner\\s+team-a\\s+no\\s+active`));
    expect(ls.stdout).not.toContain(secret.slice(17));

    const revoked = await aether(['key', 'revoke', id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`revoked ${id} (ci runner)\n`);
    const after = await aether(['vm', 'ls'], { AETHER_TOKEN: secret });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('ERR_UNAUTHENTICATED');
  }, 120_000);
});
