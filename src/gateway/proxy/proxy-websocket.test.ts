/** WebSockets through every form of the proxy, over real HTTP, to an echo server on this host. */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { deadPort, type EchoApp, startEchoApp } from '../../../test/support/echo-app.js';
import { type ProxyGateway, startProxyGateway } from '../../../test/support/proxy-gateway.js';
import type { VmRecord } from '../../core/vm.js';

const APP_PORT = 3000;
const DEAD_PORT = 3001;
const DOMAIN = 'preview.test';

let app: EchoApp;
let gw: ProxyGateway;
let vm: VmRecord;
let key: string;
let token: string;

beforeAll(async () => {
  app = await startEchoApp();
  const dead = await deadPort();
  gw = await startProxyGateway(
    (_vm, port) => (port === APP_PORT ? app.port : port === DEAD_PORT ? dead : undefined),
    { previews: { domain: DOMAIN } },
  );
  key = await gw.key('alpha');
  vm = await gw.vm('alpha');
  token = (
    await gw.services.previews.create({ project: 'alpha', all: false }, vm.id, {
      port: APP_PORT,
      createdBy: null,
    })
  ).token;
});

afterAll(async () => {
  await gw?.close();
  await app?.close();
});

const wsBase = () => gw.url.replace(/^http/, 'ws');
const previewHost = (port = APP_PORT) => `${port}-${vm.id}.${DOMAIN}:${gw.port}`;

/** Echoes a text and a 1 MiB binary message, then closes; resolves with what the app was asked. */
async function echo(url: string, headers: Record<string, string> = {}) {
  const before = app.requests.length;
  const ws = new WebSocket(url, { headers });
  await once(ws, 'open');
  ws.send('hello');
  const [text] = (await once(ws, 'message')) as [Buffer, boolean];
  expect(text.toString()).toBe('hello');
  const big = randomBytes(1024 * 1024);
  ws.send(big);
  const [bytes, binary] = (await once(ws, 'message')) as [Buffer, boolean];
  expect(binary).toBe(true);
  expect(Buffer.compare(bytes, big)).toBe(0);
  ws.close();
  await once(ws, 'close');
  return app.requests.slice(before).find((r) => r.headers.upgrade)!;
}

/** The status a refused upgrade answers with, and its body; the gateway must close the connection. */
async function refused(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => {});
  const [request, res] = (await once(ws, 'unexpected-response')) as [ClientRequest, IncomingMessage];
  let body = '';
  for await (const chunk of res) body += chunk;
  const socket = request.socket;
  if (socket && !socket.destroyed) {
    const closed = await Promise.race([
      once(socket, 'close').then(() => true),
      sleep(3000).then(() => false),
    ]);
    expect(closed, 'connection closed by the gateway').toBe(true);
  }
  request.destroy();
  return { status: res.statusCode ?? 0, body };
}

async function connectionsClosed(): Promise<void> {
  for (let i = 0; i < 200 && gw.ports.open > 0; i++) await sleep(10);
  expect(gw.ports.open).toBe(0);
}

describe('WebSockets through the proxy', () => {
  it('echo through the API form, with the key as a header or as ?access_token=', async () => {
    const asked = await echo(`${wsBase()}/api/v1/vms/${vm.name}/ports/${APP_PORT}/proxy/ws?x=1`, {
      authorization: `Bearer ${key}`,
    });
    expect(asked.url).toBe('/ws?x=1');
    expect(asked.headers.authorization).toBeUndefined();
    expect(asked.headers['x-forwarded-prefix']).toBe(`/api/v1/vms/${vm.name}/ports/${APP_PORT}/proxy`);
    const viaQuery = await echo(
      `${wsBase()}/api/v1/vms/${vm.id}/ports/${APP_PORT}/proxy/ws?access_token=${key}`,
    );
    expect(viaQuery.url).toBe('/ws');
    await connectionsClosed();
  });

  it('echo through a preview path, the token staying with the gateway', async () => {
    const asked = await echo(`${wsBase()}/preview/${token}/socket?aether_token=${token}&k=v`);
    expect(asked.url).toBe('/socket?k=v');
    expect(asked.headers.host).toBe(`localhost:${APP_PORT}`);
    await connectionsClosed();
  });

  it('echo through a preview host, by query token, header token, cookie or API key', async () => {
    const host = { host: previewHost() };
    const byQuery = await echo(`${wsBase()}/live?aether_token=${token}`, host);
    expect(byQuery.url).toBe('/live');
    const byHeader = await echo(`${wsBase()}/live`, { ...host, 'x-aether-preview-token': token });
    expect(byHeader.headers['x-aether-preview-token']).toBeUndefined();
    const byCookie = await echo(`${wsBase()}/live`, {
      ...host,
      cookie: `theme=dark; aether_preview=${token}`,
    });
    expect(byCookie.headers.cookie).toBe('theme=dark');
    const byKey = await echo(`${wsBase()}/live`, { ...host, authorization: `Bearer ${key}` });
    expect(byKey.headers.authorization).toBeUndefined();
    await connectionsClosed();
  });

  it('refuses an upgrade as it refuses a request, and closes the connection', async () => {
    const noKey = await refused(`${wsBase()}/api/v1/vms/${vm.name}/ports/${APP_PORT}/proxy/ws`);
    expect(noKey.status).toBe(401);
    expect(JSON.parse(noKey.body).error.code).toBe('ERR_UNAUTHENTICATED');
    const otherKey = await refused(`${wsBase()}/api/v1/vms/${vm.name}/ports/${APP_PORT}/proxy/ws`, {
      authorization: `Bearer ${await gw.key('beta')}`,
    });
    expect(otherKey.status).toBe(404);
    const dead = await refused(`${wsBase()}/api/v1/vms/${vm.name}/ports/${DEAD_PORT}/proxy/ws`, {
      authorization: `Bearer ${key}`,
    });
    expect(dead.status).toBe(502);
    expect(JSON.parse(dead.body).error.code).toBe('ERR_PORT_UNREACHABLE');
    const noCredential = await refused(`${wsBase()}/live`, { host: previewHost() });
    expect(noCredential.status).toBe(401);
  });

  it("passes the app's own refusal on", async () => {
    const res = await refused(`${wsBase()}/preview/${token}/no-ws`);
    expect(res.status).toBe(404);
    await connectionsClosed();
  });

  it('closes the connection to the app when the client goes, and the client when the app goes', async () => {
    const ws = new WebSocket(`${wsBase()}/preview/${token}/ws`);
    await once(ws, 'open');
    expect(gw.ports.open).toBe(1);
    ws.terminate();
    await connectionsClosed();

    const again = new WebSocket(`${wsBase()}/preview/${token}/ws`);
    await once(again, 'open');
    const closed = once(again, 'close');
    for (const connection of gw.ports.connections) connection.stream.destroy();
    await closed;
  });
});

describe('a closing gateway', () => {
  it('closes the proxied exchanges still open after a moment, instead of waiting for them', async () => {
    const own = await startProxyGateway(() => app.port);
    const ownVm = await own.vm('alpha');
    const { token: ownToken } = await own.services.previews.create(
      { project: 'alpha', all: false },
      ownVm.id,
      { port: APP_PORT, createdBy: null },
    );
    const ws = new WebSocket(`${own.url.replace(/^http/, 'ws')}/preview/${ownToken}/ws`);
    await once(ws, 'open');
    // An answer the app holds open (`/chunks` waits to be released).
    const held = await new Promise<IncomingMessage>((resolve, reject) =>
      http.get(`${own.url}/preview/${ownToken}/chunks`, { agent: false }, resolve).on('error', reject),
    );
    held.on('error', () => {});
    held.resume();
    const heldClosed = new Promise((resolve) => held.once('close', resolve));
    const wsClosed = new Promise((resolve) => ws.once('close', resolve));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(5000);
    await Promise.all([heldClosed, wsClosed]);
    expect(held.complete).toBe(false);
    app.release();
  });
});
