/**
 * The gateway serves the dashboard at `/` from a folder (a fake build here, so the test needs no
 * real one): the page for `/` and for the page's own routes, with its own content security policy
 * (no inline script) and no caching; hashed assets cached for good; nothing outside the folder;
 * the API, the docs and unknown API paths answer exactly as before; a missing build says so.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../../src/gateway/dashboard.js';
import { type GatewayNode, startGatewayNode } from '../support/gateway-node.js';

const PAGE =
  '<!doctype html><html><head><script type="module" src="/assets/app-3f2a1b.js"></script></head><body><div id="app"></div></body></html>';
const SCRIPT = 'console.log("dashboard");';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-DASHBOARD';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** The policy's directives by name: `script-src` → its sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

/** A GET whose path goes on the wire exactly as written (a URL object would resolve its `..`). */
function getAsWritten(base: string, rawPath: string, headers: Record<string, string>) {
  const { hostname, port } = new URL(base);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request({ hostname, port, path: rawPath, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('serving the dashboard', () => {
  let gateway: GatewayNode;
  let top: string;
  let dashboard: string;
  const get = (url: string, headers: Record<string, string> = {}) =>
    gateway.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    // top/dashboard is the build; top/secret.txt and top/dashboard/../ are outside it.
    top = mkdtempSync(path.join(os.tmpdir(), 'aether-dashboard-'));
    dashboard = path.join(top, 'dashboard');
    mkdirSync(path.join(dashboard, 'assets'), { recursive: true });
    writeFileSync(path.join(dashboard, 'index.html'), PAGE);
    writeFileSync(path.join(dashboard, 'assets', 'app-3f2a1b.js'), SCRIPT);
    writeFileSync(path.join(dashboard, 'assets', '.env'), SECRET);
    writeFileSync(path.join(top, 'secret.txt'), SECRET);
    gateway = await startGatewayNode({ AETHER_DASHBOARD_DIR: dashboard });
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    rmSync(top, { recursive: true, force: true });
  });

  it('answers / with the page, its own policy (no inline script), no caching, and the usual headers', async () => {
    for (const headers of [HTML, {}]) {
      const res = await get('/', headers);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toBe(PAGE);
      expect(res.headers['cache-control']).toBe('no-cache');
      const policy = String(res.headers['content-security-policy']);
      expect(policy).toBe(DASHBOARD_CSP);
      const parsed = directives(policy);
      expect(parsed.get('script-src')).toEqual(["'self'"]);
      expect(parsed.get('frame-ancestors')).toEqual(["'none'"]);
      expect(parsed.get('connect-src')).toEqual(["'self'"]);
      expect(parsed.has('upgrade-insecure-requests')).toBe(false);
      // The rest of the security headers are the API's.
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      expect(res.headers['referrer-policy']).toBeDefined();
    }
    const head = await gateway.app.inject({ method: 'HEAD', url: '/' });
    expect(head.statusCode).toBe(200);
  });

  it("answers the page's own routes with the page when a browser asks for HTML", async () => {
    for (const url of ['/vms/x', '/vms/abc/terminal', '/tasks?status=failed', '/keys/', '/a%20b']) {
      const res = await get(url, HTML);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(PAGE);
      expect(res.headers['content-security-policy'], url).toBe(DASHBOARD_CSP);
    }
    // Not asking for HTML: the same answer as before there was a dashboard.
    const json = await get('/vms/x', { accept: 'application/json' });
    expect(json.statusCode).toBe(401);
    expect(json.json().error.code).toBe('ERR_UNAUTHENTICATED');
  });

  it('serves hashed assets cached for good, and only those', async () => {
    const res = await get('/assets/app-3f2a1b.js');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(SCRIPT);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/assets/missing.js', '/assets/.env', '/assets/']) {
      const missing = await get(url, HTML);
      expect(missing.statusCode, url).toBe(404);
      expect(missing.body, url).not.toContain(SECRET);
      expect(missing.body, url).not.toBe(PAGE);
    }
  });

  it('never answers a file outside its folder, however the path is spelled', async () => {
    const attempts = [
      '/assets/../../etc/passwd',
      '/assets/../../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/assets/%252e%252e/%252e%252e/secret.txt',
      '/assets/..%00/secret.txt',
      '/assets//etc/passwd',
      `/assets/${encodeURIComponent(path.join(top, 'secret.txt'))}`,
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/index.html/../../secret.txt',
    ];
    for (const url of attempts) {
      for (const headers of [HTML, {}]) {
        // The injected request resolves `..` as a client would; the one as written does not.
        const injected = await get(url, headers);
        const written = await getAsWritten(gateway.url, url, headers);
        for (const [status, body] of [
          [injected.statusCode, injected.body],
          [written.status, written.body],
        ] as const) {
          expect(status, url).toBeLessThan(500);
          expect(body, url).not.toContain(SECRET);
          expect(body, url).not.toMatch(/root:.*:0:0:/);
        }
        // Under /assets/ nothing but a file of the folder answers 200.
        if (url.startsWith('/assets/')) expect(written.status, url).toBe(404);
      }
    }
  });

  it('leaves the API, unknown API paths, the docs and previews as they were', async () => {
    const health = await get('/api/v1/health', HTML);
    expect(health.statusCode).toBe(200);
    // The API's own answer; live but degraded, since this gateway has no worker.
    expect(health.json()).toMatchObject({ status: 'degraded', components: { workers: 'unhealthy' } });
    expect(String(health.headers['content-security-policy'])).toContain("default-src 'none'");
    // An unknown API path: 401 to a stranger (who learns nothing), 404 JSON to a caller.
    for (const headers of [HTML, {}]) {
      const stranger = await get('/api/v1/nope', headers);
      expect(stranger.statusCode).toBe(401);
      expect(stranger.json().error.code).toBe('ERR_UNAUTHENTICATED');
    }
    const caller = await get('/api/v1/nope', { ...HTML, authorization: `Bearer ${gateway.adminKey}` });
    expect(caller.statusCode).toBe(404);
    expect(caller.json().error.code).toBe('ERR_NOT_FOUND');
    const metrics = await get('/metrics/x', HTML);
    expect(metrics.body).not.toBe(PAGE);
    const docs = await get('/docs', HTML);
    expect(docs.statusCode).toBeLessThan(400);
    const docsPage = docs.statusCode === 200 ? docs : await get(String(docs.headers.location), HTML);
    expect(docsPage.body).toMatch(/swagger-ui/i);
    const preview = await get(`/preview/aep_${'A'.repeat(43)}/`, HTML);
    expect(preview.statusCode).toBe(404);
    expect(preview.json().error.code).toBe('ERR_PREVIEW_NOT_FOUND');
  });

  it('says how to build it when the folder holds no build, and serves it once built', async () => {
    const index = path.join(dashboard, 'index.html');
    renameSync(index, `${index}.away`);
    try {
      for (const url of ['/', '/vms/x']) {
        const res = await get(url, HTML);
        expect(res.statusCode, url).toBe(404);
        expect(res.json().error).toMatchObject({
          code: 'ERR_NOT_FOUND',
          message: 'the dashboard is not built: run npm run build',
        });
      }
    } finally {
      renameSync(`${index}.away`, index);
    }
    expect((await get('/', HTML)).body).toBe(PAGE);
  });
});
