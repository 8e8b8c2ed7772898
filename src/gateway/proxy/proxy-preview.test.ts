/**
 * Preview URLs over real HTTP: made, listed and revoked through the REST API, then used through
 * the path form and (on a gateway with a preview domain) the host form, to a web app on this host.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoApp, type EchoedRequest, startEchoApp } from '../../../test/support/echo-app.js';
import { type ProxyGateway, startProxyGateway } from '../../../test/support/proxy-gateway.js';
import { type RawAnswer, rawRequest } from '../../../test/support/raw-http.js';
import { PREVIEW_TOKEN_PATTERN } from '../../core/preview.js';
import type { VmRecord } from '../../core/vm.js';

const APP_PORT = 3000;
const DOMAIN = 'preview.test';

let app: EchoApp;
/** Previews under `/preview/` (no preview domain). */
let gw: ProxyGateway;
/** Previews on `<port>-<vm id>.preview.test`. */
let hosted: ProxyGateway;

beforeAll(async () => {
  app = await startEchoApp();
  const route = (_vm: VmRecord, port: number) => (port === APP_PORT || port === 4000 ? app.port : undefined);
  [gw, hosted] = await Promise.all([
    startProxyGateway(route),
    startProxyGateway(route, { previews: { domain: DOMAIN } }),
  ]);
});

afterAll(async () => {
  await Promise.all([gw?.close(), hosted?.close()]);
  await app?.close();
});

interface Created {
  id: string;
  vm_id: string;
  port: number;
  url: string;
  token: string;
  created_at: string;
  expires_at: string;
}

const errorCode = (res: RawAnswer) => res.json<{ error: { code: string } }>().error.code;

async function api(on: ProxyGateway, method: string, path: string, key: string, body?: unknown) {
  return rawRequest(`${on.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

async function createPreview(on: ProxyGateway, vm: VmRecord, key: string, body: object = { port: APP_PORT }) {
  const res = await api(on, 'POST', `/vms/${vm.name}/previews`, key, body);
  expect(res.status, res.text()).toBe(201);
  return res.json<Created>();
}

describe('preview URLs over REST', () => {
  it('are made (token shown once), listed without tokens, and revoked', async () => {
    const key = await gw.key('alpha');
    const vm = await gw.vm('alpha');
    const before = Date.now();
    const made = await createPreview(gw, vm, key);
    expect(made.token).toMatch(PREVIEW_TOKEN_PATTERN);
    expect(made.url).toBe(`${gw.url}/preview/${made.token}/`);
    expect(made).toMatchObject({ vm_id: vm.id, port: APP_PORT });
    const lifetime = Date.parse(made.expires_at) - before;
    expect(lifetime).toBeGreaterThan(3_590_000);
    expect(lifetime).toBeLessThan(3_610_000);

    const twoHours = await createPreview(gw, vm, key, { port: 4000, expires_in: '2h' });
    expect(Date.parse(twoHours.expires_at) - Date.parse(twoHours.created_at)).toBeCloseTo(7_200_000, -3);
    const seconds = await createPreview(gw, vm, key, { port: 4000, expires_in: 90 });
    expect(Date.parse(seconds.expires_at) - Date.parse(seconds.created_at)).toBeCloseTo(90_000, -3);

    const listed = await api(gw, 'GET', `/vms/${vm.id}/previews`, key);
    expect(listed.status).toBe(200);
    const previews = listed.json<{ previews: Record<string, unknown>[] }>().previews;
    expect(previews.map((p) => p.id)).toEqual([seconds.id, twoHours.id, made.id]);
    expect(previews[2]).toMatchObject({ port: APP_PORT, state: 'active', revoked_at: null });
    expect(listed.text()).not.toContain(made.token);

    const revoked = await api(gw, 'DELETE', `/vms/${vm.name}/previews/${made.id}`, key);
    expect(revoked.status).toBe(200);
    expect(revoked.json()).toEqual({ ok: true });
    const after = (await api(gw, 'GET', `/vms/${vm.id}/previews`, key)).json<{
      previews: { id: string; state: string }[];
    }>();
    expect(after.previews.find((p) => p.id === made.id)?.state).toBe('revoked');
  });

  it('refuse bad ports and lifetimes, and VMs and previews of other projects', async () => {
    const key = await gw.key('alpha');
    const vm = await gw.vm('alpha');
    const theirs = await gw.vm('beta');
    for (const body of [
      { port: 0 },
      { port: 65_536 },
      { port: 80, expires_in: '8d' },
      { port: 80, expires_in: 'soon' },
    ]) {
      const res = await api(gw, 'POST', `/vms/${vm.id}/previews`, key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(res)).toBe('ERR_VALIDATION');
    }
    expect((await api(gw, 'POST', `/vms/${theirs.id}/previews`, key, { port: 80 })).status).toBe(404);
    expect((await api(gw, 'GET', `/vms/${theirs.id}/previews`, key)).status).toBe(404);
    const their = await createPreview(gw, theirs, await gw.key('beta'));
    const res = await api(gw, 'DELETE', `/vms/${theirs.id}/previews/${their.id}`, key);
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe('ERR_VM_NOT_FOUND');
    // Another VM's preview, named through a VM the caller may see.
    const wrongVm = await api(gw, 'DELETE', `/vms/${vm.id}/previews/${their.id}`, key);
    expect(errorCode(wrongVm)).toBe('ERR_PREVIEW_NOT_FOUND');
  });
});

describe('the path form', () => {
  let key: string;
  let vm: VmRecord;
  let made: Created;
  beforeAll(async () => {
    key = await gw.key('alpha');
    vm = await gw.vm('alpha');
    made = await createPreview(gw, vm, key);
  });

  it('serves the app under /preview/<token>/ without an API key, and keeps the token from it', async () => {
    const res = await rawRequest(`${made.url}page?aether_token=${made.token}&k=v`, {
      headers: { authorization: 'Basic YXBwOnVzZXI=' },
    });
    expect(res.status).toBe(200);
    const seen = res.json<EchoedRequest>();
    expect(seen.url).toBe('/page?k=v');
    // The app's own credentials reach it; the prefix it is served under is said.
    expect(seen.headers.authorization).toBe('Basic YXBwOnVzZXI=');
    expect(seen.headers['x-forwarded-prefix']).toBe(`/preview/${made.token}`);
    expect(gw.ports.connections.at(-1)).toMatchObject({ caller: `preview:${made.id}`, via: 'preview' });

    const withKey = await rawRequest(`${made.url}page`, { headers: { authorization: `Bearer ${key}` } });
    expect(withKey.json<EchoedRequest>().headers.authorization).toBeUndefined();
  });

  it('sends /preview/<token> to /preview/<token>/', async () => {
    const res = await rawRequest(`${gw.url}/preview/${made.token}?a=1`);
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`/preview/${made.token}/?a=1`);
  });

  it('answers 401 once expired, 404 once revoked, unknown or its VM deleted, 409 while it does not run', async () => {
    const short = await createPreview(gw, vm, key, { port: APP_PORT, expires_in: 1 });
    await sleep(1100);
    const expired = await rawRequest(`${short.url}x`);
    expect(expired.status).toBe(401);
    expect(errorCode(expired)).toBe('ERR_PREVIEW_EXPIRED');

    const gone = await createPreview(gw, vm, key);
    await api(gw, 'DELETE', `/vms/${vm.id}/previews/${gone.id}`, key);
    const revoked = await rawRequest(`${gone.url}x`);
    expect(revoked.status).toBe(404);
    expect(errorCode(revoked)).toBe('ERR_PREVIEW_NOT_FOUND');

    const unknown = await rawRequest(`${gw.url}/preview/aep_${'A'.repeat(43)}/x`);
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('ERR_PREVIEW_NOT_FOUND');
    expect((await rawRequest(`${gw.url}/preview/nonsense/x`)).status).toBe(404);

    const stoppedVm = await gw.vm('alpha');
    const stopped = await createPreview(gw, stoppedVm, key);
    await gw.store.transitionVm(stoppedVm.id, { from: ['running'], to: 'stopped', reason: 'test' });
    const notRunning = await rawRequest(`${stopped.url}x`);
    expect(notRunning.status).toBe(409);
    expect(errorCode(notRunning)).toBe('ERR_VM_NOT_RUNNING');
    await gw.store.transitionVm(stoppedVm.id, { from: ['stopped'], to: 'deleted', reason: 'test' });
    const deleted = await rawRequest(`${stopped.url}x`);
    expect(deleted.status).toBe(404);
    expect(errorCode(deleted)).toBe('ERR_PREVIEW_NOT_FOUND');
  });

  it('is never an API credential', async () => {
    const asBearer = await rawRequest(`${gw.url}/api/v1/vms`, {
      headers: { authorization: `Bearer ${made.token}` },
    });
    expect(asBearer.status).toBe(401);
    expect(errorCode(asBearer)).toBe('ERR_UNAUTHENTICATED');
    expect((await rawRequest(`${gw.url}/api/v1/vms?access_token=${made.token}`)).status).toBe(401);
    const asProxyKey = await rawRequest(`${gw.url}/api/v1/vms/${vm.id}/ports/${APP_PORT}/proxy/`, {
      headers: { authorization: `Bearer ${made.token}` },
    });
    expect(asProxyKey.status).toBe(401);
  });
});

describe('the host form (a preview domain)', () => {
  let key: string;
  let vm: VmRecord;
  let made: Created;
  let host: string;
  beforeAll(async () => {
    key = await hosted.key('alpha');
    vm = await hosted.vm('alpha');
    made = await createPreview(hosted, vm, key);
    host = `${APP_PORT}-${vm.id}.${DOMAIN}:${hosted.port}`;
  });

  const onHost = (path: string, headers: Record<string, string> = {}, method = 'GET', hostName = host) =>
    rawRequest(`${hosted.url}${path}`, { method, headers: { host: hostName, ...headers } });

  it('hands out the host URL with the token in its query', () => {
    expect(made.url).toBe(`http://${host}/?aether_token=${made.token}`);
  });

  it('takes the query token once: a redirect without it, setting a cookie for this host only', async () => {
    const res = await onHost(`/page?aether_token=${made.token}&x=1`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/page?x=1');
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(
      new RegExp(`^aether_preview=${made.token}; Path=/; Max-Age=35\\d\\d; HttpOnly; SameSite=Lax$`),
    );
    expect(cookie).not.toMatch(/Domain=/);
    const overTls = await onHost(`/?aether_token=${made.token}`, { 'x-forwarded-proto': 'https' });
    expect(overTls.headers['set-cookie']?.[0]).toMatch(/; Secure$/);

    const page = await onHost('/page?x=1', { cookie: `theme=dark; aether_preview=${made.token}` });
    expect(page.status).toBe(200);
    const seen = page.json<EchoedRequest>();
    expect(seen.url).toBe('/page?x=1');
    expect(seen.headers.cookie).toBe('theme=dark');
    expect(seen.headers['x-forwarded-prefix']).toBeUndefined();
    expect(seen.headers['x-forwarded-host']).toBe(host);
  });

  it('takes a token header, or an API key of the VM’s project, none of which reaches the app', async () => {
    const byHeader = await onHost('/h', { 'x-aether-preview-token': made.token });
    expect(byHeader.status).toBe(200);
    expect(byHeader.json<EchoedRequest>().headers['x-aether-preview-token']).toBeUndefined();
    const post = await onHost(`/form?aether_token=${made.token}`, {}, 'POST');
    expect(post.status).toBe(200);
    expect(post.json<EchoedRequest>().url).toBe('/form');
    const byKey = await onHost('/k', { authorization: `Bearer ${key}` });
    expect(byKey.status).toBe(200);
    expect(byKey.json<EchoedRequest>().headers.authorization).toBeUndefined();
    const otherProject = await onHost('/k', { authorization: `Bearer ${await hosted.key('beta')}` });
    expect(otherProject.status).toBe(404);
    expect(errorCode(otherProject)).toBe('ERR_VM_NOT_FOUND');
  });

  it('serves every path to the app, the API’s own included', async () => {
    const res = await onHost('/api/v1/vms', { cookie: `aether_preview=${made.token}` });
    expect(res.status).toBe(200);
    expect(res.json<EchoedRequest>().url).toBe('/api/v1/vms');
  });

  it('refuses what does not fit, as JSON errors', async () => {
    const none = await onHost('/');
    expect(none.status).toBe(401);
    expect(errorCode(none)).toBe('ERR_UNAUTHENTICATED');
    const otherPort = await onHost(
      '/',
      { cookie: `aether_preview=${made.token}` },
      'GET',
      `4000-${vm.id}.${DOMAIN}`,
    );
    expect(otherPort.status).toBe(404);
    expect(errorCode(otherPort)).toBe('ERR_PREVIEW_NOT_FOUND');
    const badHost = await onHost('/', { cookie: `aether_preview=${made.token}` }, 'GET', `www.${DOMAIN}`);
    expect(badHost.status).toBe(404);
    expect(errorCode(badHost)).toBe('ERR_NOT_FOUND');
    // The internal route the host form is dispatched to is no way in on the gateway's own host.
    const direct = await rawRequest(`${hosted.url}/_aether/preview-host/x`, {
      headers: { cookie: `aether_preview=${made.token}` },
    });
    expect(direct.status).toBe(404);
    // The API is still the API on the gateway's own host.
    expect(
      (await rawRequest(`${hosted.url}/api/v1/vms`, { headers: { authorization: `Bearer ${key}` } })).status,
    ).toBe(200);
  });
});
