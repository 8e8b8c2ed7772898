/**
 * The proxy over real HTTP: a real gateway and store, a fake port service whose connections lead
 * to a web app on this host (test/support/echo-app.ts).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadPort, type EchoApp, type EchoedRequest, startEchoApp } from '../../../test/support/echo-app.js';
import { type ProxyGateway, startProxyGateway } from '../../../test/support/proxy-gateway.js';
import { rawRequest } from '../../../test/support/raw-http.js';
import type { VmRecord } from '../../core/vm.js';
import { APP_SANDBOX } from './forward-http.js';

const MiB = 1024 * 1024;
const APP_PORT = 3000;
const DEAD_PORT = 3001;

let app: EchoApp;
let gw: ProxyGateway;
let vm: VmRecord;
let key: string;

beforeAll(async () => {
  app = await startEchoApp();
  const dead = await deadPort();
  gw = await startProxyGateway((_vm, port) =>
    port === APP_PORT ? app.port : port === DEAD_PORT ? dead : undefined,
  );
  key = await gw.key('alpha');
  vm = await gw.vm('alpha');
});

afterAll(async () => {
  await gw?.close();
  await app?.close();
});

const proxyUrl = (rest: string, target: VmRecord = vm, port = APP_PORT) =>
  `${gw.url}/api/v1/vms/${target.name}/ports/${port}/proxy${rest}`;
const auth = (secret = key) => ({ authorization: `Bearer ${secret}` });

/** Waits until every connection the proxy opened is closed again. */
async function connectionsClosed(): Promise<void> {
  for (let i = 0; i < 200 && gw.ports.open > 0; i++) await sleep(10);
  expect(gw.ports.open).toBe(0);
}

describe('the API form of the proxy', () => {
  it('forwards a GET without its prefix, the caller key or access_token, and adds X-Forwarded-*', async () => {
    const res = await rawRequest(proxyUrl('/echo/a%20b?x=1&access_token=zzz&y=2'), { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers['x-app']).toBe('yes');
    const seen = res.json<EchoedRequest>();
    expect(seen.url).toBe('/echo/a%20b?x=1&y=2');
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers).toMatchObject({
      host: `localhost:${APP_PORT}`,
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': `127.0.0.1:${gw.port}`,
      'x-forwarded-prefix': `/api/v1/vms/${vm.name}/ports/${APP_PORT}/proxy`,
    });
    // The gateway's own security headers are the API's, not the app's; on the gateway's origin
    // the app's pages are sandboxed, so none of its scripts can use a dashboard session.
    expect(res.headers['content-security-policy']).toBe(APP_SANDBOX);
    expect(gw.ports.connections.at(-1)).toMatchObject({
      vmId: vm.id,
      port: APP_PORT,
      caller: 'alpha',
      via: 'proxy',
    });
    await connectionsClosed();
  });

  it('takes the key as ?access_token= too (browsers cannot set headers on a WebSocket)', async () => {
    const res = await rawRequest(proxyUrl(`/echo?access_token=${key}`));
    expect(res.status).toBe(200);
    expect(res.json<EchoedRequest>().url).toBe('/echo');
  });

  it('sends /proxy to /proxy/ (relative links resolve under the prefix)', async () => {
    const res = await rawRequest(proxyUrl('?q=1'), { headers: auth() });
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`/api/v1/vms/${vm.name}/ports/${APP_PORT}/proxy/?q=1`);
  });

  it('refuses as every VM route does, with the JSON error shape', async () => {
    const other = await gw.vm('beta');
    const stopped = await gw.vm('alpha', 'stopped');
    const cases: [string, Record<string, string>, number, string][] = [
      [proxyUrl('/echo'), {}, 401, 'ERR_UNAUTHENTICATED'],
      [proxyUrl('/echo', other), auth(), 404, 'ERR_VM_NOT_FOUND'],
      [proxyUrl('/echo', stopped), auth(), 409, 'ERR_VM_NOT_RUNNING'],
      [proxyUrl('/echo', vm, DEAD_PORT), auth(), 502, 'ERR_PORT_UNREACHABLE'],
      [proxyUrl('/echo', vm, 70_000), auth(), 400, 'ERR_VALIDATION'],
    ];
    for (const [url, headers, status, code] of cases) {
      const res = await rawRequest(url, { headers });
      expect(res.status, url).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json<{ error: { code: string } }>().error.code, url).toBe(code);
    }
  });

  it('streams a 20 MiB request body, whatever its content type, without a size limit', async () => {
    const hash = createHash('sha256');
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        proxyUrl('/upload'),
        // JSON: the gateway's own parser (1 MiB limit) must not take a proxied body.
        { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, agent: false },
        (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      void (async () => {
        for (let i = 0; i < 320; i++) {
          const chunk = Buffer.alloc(64 * 1024, i % 251);
          hash.update(chunk);
          if (!req.write(chunk)) await once(req, 'drain');
        }
        req.end();
      })().catch(reject);
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ bytes: 20 * MiB, sha256: hash.digest('hex') });
  });

  it('passes a chunked answer on as the app writes it', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(proxyUrl('/chunks'), { headers: auth(), agent: false }, resolve).on('error', reject),
    );
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const [first] = (await once(res, 'data')) as [Buffer];
    // The app holds its second chunk until now: the first came through on its own.
    expect(first.toString()).toBe('first\n');
    app.release();
    let rest = '';
    for await (const chunk of res) rest += chunk;
    expect(rest).toBe('second\n');
  });

  it('holds a fast app back while its client reads slowly, buffering a bounded amount', async () => {
    const total = 256;
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(proxyUrl(`/big?mib=${total}`), { headers: auth(), agent: false }, resolve).on('error', reject),
    );
    res.pause();
    await sleep(1500);
    const early = app.bigWritten();
    await sleep(1000);
    const later = app.bigWritten();
    // Socket buffers on each hop hold some MiB; the app is stalled, not read into memory.
    expect(later).toBeLessThan(64 * MiB);
    expect(later - early).toBeLessThan(2 * MiB);
    let received = 0;
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    res.resume();
    await once(res, 'end');
    expect(received).toBe(total * MiB);
  }, 60_000);

  it('answers 20 concurrent requests, each over its own connection, and closes them all', async () => {
    const before = gw.ports.connections.length;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => rawRequest(proxyUrl(`/echo?i=${i}`), { headers: auth() })),
    );
    answers.forEach((res, i) => {
      expect(res.status).toBe(200);
      expect(res.json<EchoedRequest>().url).toBe(`/echo?i=${i}`);
    });
    expect(gw.ports.connections.length - before).toBe(20);
    await connectionsClosed();
  });

  it('drops hop-by-hop headers both ways and keeps end-to-end ones, the app’s own policy included', async () => {
    const seen = await rawRequest(proxyUrl('/echo'), {
      headers: {
        ...auth(),
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic eDp5',
        'x-end': '1',
        cookie: 'a=1; aether_preview=zzz; b=2',
      },
    });
    const headers = seen.json<EchoedRequest>().headers;
    expect(headers['x-end']).toBe('1');
    expect(headers.cookie).toBe('a=1; b=2');
    for (const name of ['x-hop', 'keep-alive', 'te', 'proxy-authorization'])
      expect(headers[name], name).toBeUndefined();
    expect(headers.connection).toBe('close');

    const res = await rawRequest(proxyUrl('/hop'), { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.text()).toBe('hop');
    expect(res.headers['x-app-end']).toBe('1');
    // Its own policy goes on, beside the sandbox the gateway's origin needs (both are enforced).
    expect(res.headers['content-security-policy']).toBe(`default-src 'self', ${APP_SANDBOX}`);
    expect(res.headers['set-cookie']).toEqual(['one=1; Path=/', 'two=2; Path=/']);
    expect(res.headers['x-app-hop']).toBeUndefined();
    expect(res.headers['proxy-authenticate']).toBeUndefined();
    expect(res.headers['x-frame-options']).toBeUndefined();
  });

  it('answers HEAD and other methods as the app does', async () => {
    const head = await rawRequest(proxyUrl('/echo'), { method: 'HEAD', headers: auth() });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const res = await rawRequest(proxyUrl('/echo'), { method, headers: auth(), body: 'x' });
      expect(res.status, method).toBe(200);
      expect(res.json<EchoedRequest>().method).toBe(method);
    }
  });
});
