/**
 * Ports of a real VM (process driver, no network) reached from outside: a Python web server
 * through a preview URL (made with `aether vm url`) and through the API-key proxy route, both with
 * curl; a WebSocket echo server in plain Node through a preview URL, with a `ws` client.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { AetherClient } from '@aetherium/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiError } from '../support/api-error.js';
import { useTestNode } from '../support/embedded-node.js';
import { portForward } from '../support/port-forward.js';
import { runCli } from '../support/run-cli.js';
import { runCommand } from '../support/run-command.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { WS_ECHO_GUEST_SCRIPT } from '../support/ws-echo-guest.js';

const canRun = await sandboxesAvailable('ports and preview URLs');
const node = useTestNode(canRun);
const VM = 'ports-e2e';

async function curl(...args: string[]): Promise<string> {
  const res = await runCommand(['curl', '-sS', '--fail-with-body', '--max-time', '20', ...args], {
    timeoutMs: 30_000,
  });
  expect(res.code, res.stderr + res.stdout).toBe(0);
  return res.stdout;
}

/** Waits until the app on `port` answers through the proxy (the server takes a moment to bind). */
async function untilListening(port: number): Promise<void> {
  const url = `${node().url}/api/v1/vms/${VM}/ports/${port}/proxy/`;
  for (let i = 0; i < 100; i++) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${node().node.localAdminKey}` } });
    await res.arrayBuffer();
    if (res.status !== 502) return;
    await sleep(200);
  }
  throw new Error(`nothing listened on port ${port} in the VM`);
}

describe.skipIf(!canRun)('ports of a VM without network', () => {
  beforeAll(async () => {
    const { client } = node();
    await client.createVm({ name: VM, driver: 'process' }, { wait: true });
    const prepared = await client.execute(
      VM,
      {
        command: 'sh',
        args: [
          '-c',
          'mkdir -p site/notes && echo hello-from-the-vm > site/index.html && echo a > site/notes/a.txt && cat > ws-echo.cjs',
        ],
        stdin: WS_ECHO_GUEST_SCRIPT,
      },
      { wait: true },
    );
    expect(prepared.execution?.exit_code).toBe(0);
    // Detached, with no limit of their own: they serve until the VM goes.
    await client.execute(VM, {
      command: 'python3',
      args: ['-m', 'http.server', '3000', '--bind', '127.0.0.1', '--directory', 'site'],
      timeout_ms: 0,
    });
    await client.execute(VM, { command: 'node', args: ['ws-echo.cjs', '3001'], timeout_ms: 0 });
    await untilListening(3000);
    await untilListening(3001);
  }, 120_000);

  it('serves the Python app through a preview URL made by `aether vm url`, to curl', async () => {
    const made = await runCli(node().url, ['vm', 'url', VM, '3000', '--expires', '10m']);
    expect(made.code, made.stderr).toBe(0);
    const url = made.stdout.trim();
    expect(url).toMatch(new RegExp(`^${node().url}/preview/aep_[A-Za-z0-9_-]{43}/$`));
    expect(await curl(`${url}index.html`)).toBe('hello-from-the-vm\n');
    // The directory listing links relatively: they resolve under the prefix.
    expect(await curl(`${url}notes/`)).toContain('href="a.txt"');
    expect(await curl(`${url}notes/a.txt`)).toBe('a\n');

    const listed = await runCli(node().url, ['vm', 'url', 'ls', VM, '--json']);
    const previews = JSON.parse(listed.stdout) as { id: string; port: number; state: string }[];
    expect(previews[0]).toMatchObject({ port: 3000, state: 'active' });
    const revoked = await runCli(node().url, ['vm', 'url', 'revoke', VM, previews[0]!.id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = await runCommand([
      'curl',
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${url}index.html`,
    ]);
    expect(after.stdout).toBe('404');
  });

  it('serves it through `aether port-forward`, to curl', async () => {
    const forward = await portForward(node().url, VM, 3000, node().node.localAdminKey ?? '');
    try {
      expect(await curl(`http://127.0.0.1:${forward.local}/`)).toContain('hello-from-the-vm');
      expect(await curl(`http://127.0.0.1:${forward.local}/notes/a.txt`)).toBe('a\n');
    } finally {
      forward.stop();
    }
  });

  it('serves it through the API-key proxy route, to curl', async () => {
    const body = await curl(
      '-H',
      `Authorization: Bearer ${node().node.localAdminKey}`,
      `${node().url}/api/v1/vms/${VM}/ports/3000/proxy/index.html`,
    );
    expect(body).toBe('hello-from-the-vm\n');
  });

  it('refuses expired and foreign previews, and never takes a preview token as an API key', async () => {
    const { client, url } = node();
    const short = await client.createPreview(VM, 3000, { expiresIn: 1 });
    await sleep(1100);
    const expired = await fetch(`${short.url}index.html`);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('ERR_PREVIEW_EXPIRED');

    const { secret } = await client.createKey({ name: 'another team', project: 'another-team' });
    const foreign = new AetherClient({ baseUrl: url, token: secret });
    expect((await apiError(foreign.createPreview(VM, 3000))).status).toBe(404);
    expect((await apiError(foreign.listPreviews(VM))).status).toBe(404);
    const viaProxy = await fetch(`${url}/api/v1/vms/${VM}/ports/3000/proxy/`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(viaProxy.status).toBe(404);
    await viaProxy.arrayBuffer();

    const { token } = await client.createPreview(VM, 3000);
    const asKey = await fetch(`${url}/api/v1/vms`, { headers: { authorization: `Bearer ${token}` } });
    expect(asKey.status).toBe(401);
    await asKey.arrayBuffer();
  });

  it('carries a WebSocket to an echo server in the VM through a preview URL', async () => {
    const { url } = await node().client.createPreview(VM, 3001);
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}echo`);
    await once(ws, 'open');
    for (const message of ['hello', 'x'.repeat(70_000)]) {
      ws.send(message);
      const [echoed] = (await once(ws, 'message')) as [Buffer];
      expect(echoed.toString()).toBe(message);
    }
    ws.close();
    await once(ws, 'close');
  });

  it('closes a WebSocket still open through a preview once the preview is revoked', async () => {
    const { id, url } = await node().client.createPreview(VM, 3001);
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}echo`);
    await once(ws, 'open');
    ws.send('before');
    expect(String(((await once(ws, 'message')) as [Buffer])[0])).toBe('before');
    const closed = once(ws, 'close');
    const revokedAt = Date.now();
    await node().client.revokePreview(VM, id);
    await closed;
    // The proxy checks open previews every 5 s.
    expect(Date.now() - revokedAt).toBeLessThan(12_000);
  }, 30_000);
});
