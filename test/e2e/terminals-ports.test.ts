/**
 * Terminals and port connections on an embedded node, tried as an attacker or a crash would:
 * a guest flooding a terminal or a connection whose client does not read (the node's memory stays
 * bounded: flow control end to end), another project's key (404, nothing opened), hostile sizes
 * and ids (400 with a code), an idle connection (closed by the worker), a VM deleted under an
 * attached terminal (the client learns it ended; nothing is left running).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AetherApiError, AetherClient } from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type TestNode, useTestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('terminals and ports');
const IDLE_MS = 1500;

function socketUrl(node: TestNode, path: string, token?: string): string {
  const url = new URL(`${node.url}/api/v1${path}`);
  url.protocol = 'ws:';
  if (token) url.searchParams.set('access_token', token);
  return url.href;
}

/** The node's resident memory: the gateway, the worker and the agents' host side share it. */
const rss = () => process.memoryUsage().rss;

describe.skipIf(!canRun)('terminals and ports under attack (embedded node, process driver)', () => {
  const node = useTestNode(canRun, { AETHER_TUNNEL_IDLE_TIMEOUT_MS: String(IDLE_MS) });
  const admin = () => node().client;

  it('bounds memory when a terminal floods and its client does not read', async () => {
    await admin().createVm({ name: 'flood' }, { wait: true });
    const term = await admin().openTerminal('flood', {
      command: ['yes', 'x'.repeat(200)],
      cols: 80,
      rows: 24,
    });
    const socket = new WebSocket(
      socketUrl(node(), `/vms/flood/terminals/${term.id}/attach`, node().node.localAdminKey ?? undefined),
    );
    await new Promise((resolve) => socket.once('open', resolve));
    let received = 0;
    socket.on('message', (data: Buffer) => {
      received += data.length;
    });
    await sleep(500);
    // The client stops reading: its TCP window fills, then the gateway's send buffer, then the
    // guest is held back by the agent's window.
    socket.pause();
    const before = rss();
    await sleep(3000);
    const grown = rss() - before;
    expect(grown).toBeLessThan(64 * 1024 ** 2);
    socket.resume();
    await sleep(500);
    expect(received).toBeGreaterThan(0);
    socket.close();
    await admin().closeTerminal('flood', term.id);
  }, 60_000);

  it('bounds memory when an app floods a port connection whose client does not read', async () => {
    const flood =
      "require('net').createServer(s=>{const b=Buffer.alloc(65536,120);const w=()=>{while(s.write(b));};s.on('drain',w);w();s.on('error',()=>{})}).listen(4100,'127.0.0.1')";
    await admin().execute('flood', { command: 'node', args: ['-e', flood], timeout_ms: 0 });
    let tunnel: Awaited<ReturnType<AetherClient['connectPort']>> | null = null;
    for (let i = 0; i < 50 && !tunnel; i++) {
      tunnel = await admin()
        .connectPort('flood', 4100)
        .catch(() => null);
      if (!tunnel) await sleep(200);
    }
    expect(tunnel).not.toBeNull();
    let received = 0;
    tunnel!.on('data', (c: Buffer) => {
      received += c.length;
    });
    await sleep(300);
    tunnel!.pause();
    const before = rss();
    await sleep(3000);
    expect(rss() - before).toBeLessThan(64 * 1024 ** 2);
    expect(received).toBeGreaterThan(0);
    tunnel!.destroy();
  }, 60_000);

  it('closes a connection idle for AETHER_TUNNEL_IDLE_TIMEOUT_MS', async () => {
    const echo = "require('net').createServer(s=>{s.pipe(s);s.on('error',()=>{})}).listen(4101,'127.0.0.1')";
    await admin().execute('flood', { command: 'node', args: ['-e', echo], timeout_ms: 0 });
    let tunnel: Awaited<ReturnType<AetherClient['connectPort']>> | null = null;
    for (let i = 0; i < 50 && !tunnel; i++) {
      tunnel = await admin()
        .connectPort('flood', 4101)
        .catch(() => null);
      if (!tunnel) await sleep(200);
    }
    const echoed = new Promise<string>((resolve) =>
      tunnel!.once('data', (c: Buffer) => resolve(c.toString())),
    );
    tunnel!.write('hello');
    expect(await echoed).toBe('hello');
    const started = Date.now();
    await new Promise((resolve) => tunnel!.once('close', resolve));
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 200);
    expect(Date.now() - started).toBeLessThan(IDLE_MS + 5000);
  }, 60_000);

  it("shows another project's VM to nobody: terminals and ports answer 404 and open nothing", async () => {
    const key = await admin().createKey({ name: 'mallory', project: 'mallory' });
    const mallory = new AetherClient({ baseUrl: node().url, token: key.secret });
    const term = await admin().openTerminal('flood', { command: ['sleep', '600'], cols: 80, rows: 24 });
    for (const attempt of [
      () => mallory.openTerminal('flood', { cols: 80, rows: 24 }),
      () => mallory.listTerminals('flood'),
      () => mallory.attachTerminal('flood', term.id),
      () => mallory.closeTerminal('flood', term.id),
      () => mallory.connectPort('flood', 4101),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ status: 404, code: 'ERR_VM_NOT_FOUND' });
    }
    expect((await admin().listTerminals('flood')).filter((t) => t.status === 'running')).toHaveLength(1);
    await admin().closeTerminal('flood', term.id);
  }, 60_000);

  it('refuses hostile input with 400 and a code', async () => {
    const bad = async (work: () => Promise<unknown>, code: string) => {
      const error = await work().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AetherApiError);
      expect(error).toMatchObject({ status: 400, code });
    };
    await bad(() => admin().openTerminal('flood', { cols: 0, rows: 24 }), 'ERR_VALIDATION');
    await bad(() => admin().openTerminal('flood', { cols: 80, rows: 100_000 }), 'ERR_VALIDATION');
    await bad(
      () => admin().openTerminal('flood', { command: ['sh\0'], cols: 80, rows: 24 }),
      'ERR_VALIDATION',
    );
    await bad(() => admin().getTerminal('flood', '../../etc'), 'ERR_VALIDATION');
    await bad(() => admin().connectPort('flood', 70_000), 'ERR_VALIDATION');
    await expect(admin().getTerminal('flood', `term_${'a'.repeat(20)}`)).rejects.toMatchObject({
      status: 404,
      code: 'ERR_TERMINAL_NOT_FOUND',
    });
  }, 30_000);

  it('ends an attached session when its VM is deleted (the client learns it)', async () => {
    await admin().createVm({ name: 'doomed' }, { wait: true });
    const term = await admin().openTerminal('doomed', { command: ['sleep', '600'], cols: 80, rows: 24 });
    const attachment = await admin().attachTerminal('doomed', term.id);
    const events = (async () => {
      const seen = [];
      try {
        for await (const event of attachment.events) seen.push(event.type);
      } catch (error) {
        seen.push((error as AetherApiError).code ?? 'error');
      }
      return seen;
    })();
    await admin().deleteVm('doomed', { wait: true });
    const seen = await events;
    expect(seen.at(-1)).toMatch(/exit|ERR_TRANSFER_ABORTED/);
  }, 60_000);
});
