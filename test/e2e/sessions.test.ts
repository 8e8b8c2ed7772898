/**
 * Browser sessions on a real gateway and store: an API key or JWT is traded for an HttpOnly
 * cookie that then authenticates the API alone; unsafe requests need the CSRF token; requests
 * from another origin are refused (WebSocket upgrades too); signing out, revoking the key or the
 * session's end stops the cookie at once; a wrong token gets no cookie; tenancy holds; hostile
 * cookie headers are refused, never crash; bearer callers are unchanged.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newVmInput } from '../../src/testing/conformance/store/fixtures.js';
import { type GatewayNode, startGatewayNode } from '../support/gateway-node.js';

const JWT_SECRET = randomBytes(32).toString('hex');
const AUDIENCE = 'aetherium-test';
const ISSUER = 'https://issuer.test';
const JWT_ENV = { AETHER_JWT_SECRET: JWT_SECRET, AETHER_JWT_AUDIENCE: AUDIENCE, AETHER_JWT_ISSUER: ISSUER };

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface SignedIn {
  /** The `Cookie` header a browser would send. */
  cookie: string;
  secret: string;
  csrf: string;
  setCookie: string;
  body: Record<string, unknown>;
}

async function jwt(claims: Record<string, unknown>, expiresIn: string | number = '5m'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

function sessionHelpers(gateway: () => GatewayNode) {
  const inject = (
    method: Method,
    url: string,
    headers: Record<string, string> = {},
    payload?: Record<string, unknown>,
  ) =>
    gateway().app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });

  const signIn = async (token: string, headers: Record<string, string> = {}): Promise<SignedIn> => {
    const res = await inject('POST', '/api/v1/sessions', headers, { token });
    expect(res.statusCode, res.body).toBe(201);
    const setCookie = String(res.headers['set-cookie']);
    const secret = /^aether_session=([A-Za-z0-9_-]{43});/.exec(setCookie)?.[1];
    expect(secret, setCookie).toBeDefined();
    const body = res.json() as Record<string, unknown>;
    return {
      cookie: `aether_session=${secret}`,
      secret: secret!,
      csrf: String(body.csrf_token),
      setCookie,
      body,
    };
  };

  const makeKey = async (name: string, project: string): Promise<{ id: string; secret: string }> => {
    const res = await inject(
      'POST',
      '/api/v1/keys',
      { authorization: `Bearer ${gateway().adminKey}` },
      { name, project },
    );
    expect(res.statusCode, res.body).toBe(201);
    const { key, secret } = res.json() as { key: { id: string }; secret: string };
    return { id: key.id, secret };
  };

  return { inject, signIn, makeKey };
}

describe('browser sessions', () => {
  let gateway: GatewayNode;
  const { inject, signIn, makeKey } = sessionHelpers(() => gateway);

  beforeAll(async () => {
    gateway = await startGatewayNode(JWT_ENV);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
  });

  it('signs in with a key: an HttpOnly, SameSite=Strict cookie for Path=/, only its hash kept', async () => {
    const key = await makeKey('laptop', 'alice');
    const session = await signIn(key.secret);
    const attributes = session.setCookie.split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    expect(attributes).not.toContain('Secure');
    const maxAge = Number(/Max-Age=(\d+)/.exec(session.setCookie)?.[1]);
    expect(maxAge).toBeGreaterThan(12 * 3600 - 60);
    expect(maxAge).toBeLessThanOrEqual(12 * 3600);
    expect(session.body).toEqual({
      project: 'alice',
      admin: false,
      key_id: key.id,
      subject: 'laptop',
      expires_at: expect.any(String),
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      credentials: 'session',
    });
    expect(JSON.stringify(session.body)).not.toContain(session.secret);
    // The store has the SHA-256 of the secret, not the secret.
    const store = gateway.node.backends.store;
    const stored = await store.findActiveSession(createHash('sha256').update(session.secret).digest('hex'));
    expect(stored).toMatchObject({ project: 'alice', keyId: key.id, revokedAt: null });
    expect(JSON.stringify(stored)).not.toContain(session.secret);
    // Over https (here, or at a proxy in front), the cookie is also Secure.
    const overTls = await signIn(key.secret, { 'x-forwarded-proto': 'https' });
    expect(overTls.setCookie.split('; ')).toContain('Secure');
  });

  it('the cookie alone authenticates; GET /sessions/current answers who and the CSRF token', async () => {
    const session = await signIn((await makeKey('reader', 'alice')).secret);
    const vms = await inject('GET', '/api/v1/vms', { cookie: session.cookie });
    expect(vms.statusCode, vms.body).toBe(200);
    const current = await inject('GET', '/api/v1/sessions/current', { cookie: session.cookie });
    expect(current.statusCode).toBe(200);
    expect(current.json()).toEqual(session.body);
    // Among other cookies, quoted, and with the page's own Origin: the same.
    const among = await inject('GET', '/api/v1/vms', {
      cookie: `theme=dark; aether_session="${session.secret}"; other=1`,
      host: new URL(gateway.url).host,
      origin: `http://${new URL(gateway.url).host}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(among.statusCode, among.body).toBe(200);
  });

  it('unsafe requests need the CSRF token: missing or wrong is 403 ERR_CSRF, right works', async () => {
    const session = await signIn((await makeKey('writer', 'alice')).secret);
    const body = { name: 'made in the browser' };
    const missing = await inject('POST', '/api/v1/keys', { cookie: session.cookie }, body);
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error.code).toBe('ERR_CSRF');
    expect(missing.json().error.message).toContain('x-csrf-token');
    const wrong = await inject(
      'POST',
      '/api/v1/keys',
      { cookie: session.cookie, 'x-csrf-token': `${session.csrf.slice(0, -1)}x` },
      body,
    );
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('ERR_CSRF');
    // Another session's token is not this one's.
    const other = await signIn((await makeKey('other', 'alice')).secret);
    const crossed = await inject(
      'POST',
      '/api/v1/keys',
      { cookie: session.cookie, 'x-csrf-token': other.csrf },
      body,
    );
    expect(crossed.statusCode).toBe(403);
    const right = await inject(
      'POST',
      '/api/v1/keys',
      { cookie: session.cookie, 'x-csrf-token': session.csrf },
      body,
    );
    expect(right.statusCode, right.body).toBe(201);
    expect(right.json().key.project).toBe('alice');
    // The check comes before the body is read: a refused DELETE changes nothing either.
    const id = right.json().key.id as string;
    expect((await inject('DELETE', `/api/v1/keys/${id}`, { cookie: session.cookie })).statusCode).toBe(403);
    const keys = await inject('GET', '/api/v1/keys', { cookie: session.cookie });
    expect(keys.json().keys.find((k: { id: string }) => k.id === id).state).toBe('active');
  });

  it('refuses a cookie request from another origin or site, even a safe one', async () => {
    const session = await signIn((await makeKey('browser', 'alice')).secret);
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'not a url' },
      { 'sec-fetch-site': 'cross-site' },
      // A sibling host of the same site gets the SameSite cookie; it is refused all the same.
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of foreign) {
      const res = await inject('GET', '/api/v1/vms', { cookie: session.cookie, ...headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error.code).toBe('ERR_CSRF');
    }
    // A sign-in posted from another site's page is refused too (it would sign the browser in as someone else).
    const foreignSignIn = await inject(
      'POST',
      '/api/v1/sessions',
      { origin: 'https://evil.example' },
      { token: (await makeKey('x', 'alice')).secret },
    );
    expect(foreignSignIn.statusCode).toBe(403);
    expect(foreignSignIn.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a WebSocket upgrade with the cookie from another origin, and accepts it from its own', async () => {
    const session = await signIn((await makeKey('sockets', 'alice')).secret);
    const url = `${gateway.url.replace(/^http/, 'ws')}/api/v1/executions/${randomUUID()}/stream`;
    const upgrade = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(url, { headers });
        socket.on('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.on('open', () => {
          resolve(101);
          socket.terminate();
        });
        socket.on('error', (error) => {
          if (!String(error.message).includes('Unexpected server response')) reject(error);
        });
      });
    expect(await upgrade({ cookie: session.cookie, origin: 'https://evil.example' })).toBe(403);
    // Its own origin: authenticated, so the unknown execution is the answer (not 401).
    expect(await upgrade({ cookie: session.cookie, origin: gateway.url })).toBe(404);
    expect(await upgrade({ origin: gateway.url })).toBe(401);
  });

  it('signing out revokes the session on the store: the same cookie is then 401', async () => {
    const session = await signIn((await makeKey('leaving', 'alice')).secret);
    const refused = await inject('DELETE', '/api/v1/sessions/current', { cookie: session.cookie });
    expect(refused.statusCode).toBe(403);
    const out = await inject('DELETE', '/api/v1/sessions/current', {
      cookie: session.cookie,
      'x-csrf-token': session.csrf,
    });
    expect(out.statusCode, out.body).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^aether_session=; .*Max-Age=0/);
    const after = await inject('GET', '/api/v1/vms', { cookie: session.cookie });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('ERR_UNAUTHENTICATED');
    expect(after.json().error.message).toContain('sign in again');
  });

  it('revoking the key ends its sessions at once', async () => {
    const key = await makeKey('to-revoke', 'alice');
    const session = await signIn(key.secret);
    expect((await inject('GET', '/api/v1/vms', { cookie: session.cookie })).statusCode).toBe(200);
    const revoked = await inject('DELETE', `/api/v1/keys/${key.id}`, {
      authorization: `Bearer ${gateway.adminKey}`,
    });
    expect(revoked.statusCode).toBe(200);
    expect((await inject('GET', '/api/v1/vms', { cookie: session.cookie })).statusCode).toBe(401);
    // And the revoked key cannot sign in again.
    const again = await inject('POST', '/api/v1/sessions', {}, { token: key.secret });
    expect(again.statusCode).toBe(401);
  });

  it('a wrong, malformed or revoked token is 401 ERR_UNAUTHENTICATED with no cookie', async () => {
    const key = await makeKey('real', 'alice');
    for (const token of [
      `aek_${'A'.repeat(12)}_${'b'.repeat(32)}`,
      `${key.secret.slice(0, -1)}${key.secret.endsWith('a') ? 'b' : 'a'}`,
      'not-a-token',
      await jwt({ project: 'alice' }, '-10m'),
    ]) {
      const res = await inject('POST', '/api/v1/sessions', {}, { token });
      expect(res.statusCode, token).toBe(401);
      expect(res.json().error.code).toBe('ERR_UNAUTHENTICATED');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    for (const payload of [{}, { token: '' }, { token: 'a b' }, { token: 'x', extra: 1 }]) {
      const res = await inject('POST', '/api/v1/sessions', {}, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('signs in with a JWT: the session ends no later than the JWT, and then the cookie is 401', async () => {
    const token = await jwt({ project: 'alice', sub: 'ada' }, Math.floor(Date.now() / 1000) + 3);
    const session = await signIn(token);
    expect(session.body).toMatchObject({ project: 'alice', key_id: null, subject: 'ada', admin: false });
    expect(Number(/Max-Age=(\d+)/.exec(session.setCookie)?.[1])).toBeLessThanOrEqual(3);
    expect(Date.parse(String(session.body.expires_at))).toBeLessThanOrEqual(Date.now() + 3000);
    expect((await inject('GET', '/api/v1/vms', { cookie: session.cookie })).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect((await inject('GET', '/api/v1/vms', { cookie: session.cookie })).statusCode).toBe(401);
  });

  it("two projects' sessions see only their own VMs; an admin's sees both", async () => {
    const store = gateway.node.backends.store;
    const mine = await store.insertVm(newVmInput({ project: 'alice' }));
    const theirs = await store.insertVm(newVmInput({ project: 'bob' }));
    const alice = await signIn((await makeKey('a', 'alice')).secret);
    const bob = await signIn((await makeKey('b', 'bob')).secret);
    const admin = await signIn(gateway.adminKey);
    const ids = async (session: SignedIn) =>
      ((await inject('GET', '/api/v1/vms', { cookie: session.cookie })).json().vms as { id: string }[]).map(
        (vm) => vm.id,
      );
    expect(await ids(alice)).toEqual([mine.id]);
    expect(await ids(bob)).toEqual([theirs.id]);
    expect(await ids(admin)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect((await inject('GET', `/api/v1/vms/${theirs.id}`, { cookie: alice.cookie })).statusCode).toBe(404);
    expect(admin.body).toMatchObject({ admin: true, project: 'default' });
  });

  it('refuses hostile cookie headers with 401, never a 500', async () => {
    const valid = await signIn((await makeKey('hostile', 'alice')).secret);
    const headers = [
      `aether_session=${'A'.repeat(12_000)}`,
      'aether_session',
      'aether_session=',
      '=;;;=;',
      'aether_session="',
      `aether_session=${'é'.repeat(43)}`,
      'aether_session=../../etc/passwd',
      `aether_session=${valid.secret.slice(1)}`,
      Array.from({ length: 2000 }, (_, i) => `c${i}=${i}`).join('; '),
      Array.from({ length: 500 }, () => 'aether_session=x').join('; '),
      // Two session cookies (a sibling host can add one): neither counts.
      `aether_session=${valid.secret}; aether_session=${randomBytes(32).toString('base64url')}`,
    ];
    for (const cookie of headers) {
      const res = await inject('GET', '/api/v1/vms', { cookie });
      expect(res.statusCode, cookie.slice(0, 60)).toBe(401);
      expect(res.json().error.code).toBe('ERR_UNAUTHENTICATED');
    }
  });

  it('leaves bearer callers as they were: no CSRF token or origin asked; a bad bearer never falls back to the cookie', async () => {
    const key = await makeKey('cli', 'alice');
    const bearer = { authorization: `Bearer ${key.secret}` };
    const made = await inject(
      'POST',
      '/api/v1/keys',
      { ...bearer, origin: 'https://evil.example' },
      { name: 'by bearer' },
    );
    expect(made.statusCode, made.body).toBe(201);
    const current = await inject('GET', '/api/v1/sessions/current', bearer);
    expect(current.json()).toEqual({
      project: 'alice',
      admin: false,
      key_id: key.id,
      subject: 'cli',
      expires_at: null,
      csrf_token: null,
      credentials: 'bearer',
    });
    const session = await signIn(key.secret);
    const wrongBearer = await inject('GET', '/api/v1/vms', {
      cookie: session.cookie,
      authorization: 'Bearer aek_nope',
    });
    expect(wrongBearer.statusCode).toBe(401);
    const token = await inject('GET', '/api/v1/vms?access_token=aek_nope', { cookie: session.cookie });
    expect(token.statusCode).toBe(401);
    // Signing out with a bearer ends nothing: the session still works.
    expect((await inject('DELETE', '/api/v1/sessions/current', bearer)).statusCode).toBe(200);
    expect((await inject('GET', '/api/v1/vms', { cookie: session.cookie })).statusCode).toBe(200);
  });

  it('does not open apps in VMs with the cookie (their pages would run on this origin)', async () => {
    const session = await signIn((await makeKey('apps', 'alice')).secret);
    const res = await inject('GET', '/api/v1/vms/some-vm/ports/8080/proxy/', { cookie: session.cookie });
    expect(res.statusCode).toBe(401);
  });

  it('a new sign-in ends the session the browser held', async () => {
    const key = await makeKey('twice', 'alice');
    const first = await signIn(key.secret);
    await signIn(key.secret, { cookie: first.cookie });
    expect((await inject('GET', '/api/v1/vms', { cookie: first.cookie })).statusCode).toBe(401);
  });
});

describe('browser sessions with a short lifetime', () => {
  let gateway: GatewayNode;
  const { inject, signIn } = sessionHelpers(() => gateway);

  beforeAll(async () => {
    gateway = await startGatewayNode({ AETHER_SESSION_TTL_SECONDS: '2' });
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
  });

  it('ends the session after AETHER_SESSION_TTL_SECONDS: the cookie is then 401', async () => {
    const session = await signIn(gateway.adminKey);
    expect(session.setCookie).toMatch(/Max-Age=[12](;|$)/);
    expect((await inject('GET', '/api/v1/vms', { cookie: session.cookie })).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const after = await inject('GET', '/api/v1/vms', { cookie: session.cookie });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('ERR_UNAUTHENTICATED');
  });
});
