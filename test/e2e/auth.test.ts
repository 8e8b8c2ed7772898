/**
 * The gateway's door: every route but health, docs and the spec refuses a request without valid
 * credentials; forged, expired, revoked, `alg: none`, wrong-audience and wrong-issuer tokens are
 * refused alike; one project never sees another's resources (404, never 403); quotas and rate
 * limits answer with their codes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AetherClient } from '@aetherium/sdk';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { API_ROUTES } from '../../src/api/routes.js';
import { SYSTEM_ACCESS } from '../../src/core/principal.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('authentication and tenancy');
const JWT_SECRET = randomBytes(32).toString('hex');
const AUDIENCE = 'aetherium-test';
const ISSUER = 'https://issuer.test';

/** Every route of the table plus the key routes, with a made-up id where the path takes one. */
const ROUTES = [
  ...Object.values(API_ROUTES).map((r) => ({
    method: r.method as string,
    path: r.path,
    access: r.access as string,
  })),
  { method: 'POST', path: '/api/v1/keys', access: 'user' },
  { method: 'GET', path: '/api/v1/keys', access: 'user' },
  { method: 'DELETE', path: '/api/v1/keys/{id}', access: 'user' },
];
const concrete = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id);

async function jwt(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

describe.skipIf(!canRun)('authentication and tenancy', () => {
  let node: TestNode;
  let admin: AetherClient;
  let alice: AetherClient;
  let bob: AetherClient;
  let aliceKey: string;
  let bobKey: string;

  const as = (token: string | undefined) =>
    new AetherClient({ baseUrl: node.url, ...(token === undefined ? {} : { token }) });
  const inject = (method: string, url: string, token?: string, payload?: unknown) =>
    node.node.app!.inject({
      method: method as 'GET',
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  beforeAll(async () => {
    node = await startTestNode({
      AETHER_JWT_SECRET: JWT_SECRET,
      AETHER_JWT_AUDIENCE: AUDIENCE,
      AETHER_JWT_ISSUER: ISSUER,
      AETHER_QUOTA_PROJECTS: 'tiny=2/2/2048',
    });
    admin = node.client;
    aliceKey = (await admin.createKey({ name: 'alice', project: 'alice' })).secret;
    bobKey = (await admin.createKey({ name: 'bob', project: 'bob' })).secret;
    alice = as(aliceKey);
    bob = as(bobKey);
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('answers no route without credentials, except health, docs and the spec (webhooks need a signature)', async () => {
    const id = randomUUID();
    for (const route of ROUTES) {
      const res = await inject(route.method, concrete(route.path, id));
      if (route.access === 'public') {
        // Signing in (POST /sessions) answers 400 to its missing body: never 401.
        expect(res.statusCode, `${route.method} ${route.path}`).toBeLessThan(
          route.method === 'POST' ? 401 : 400,
        );
      } else if (route.access === 'signed') {
        // Webhooks take no API key, but an unsigned one is refused all the same.
        expect(res.statusCode, `${route.method} ${route.path}`).toBe(401);
        expect(res.json().error.code).toBe('ERR_WEBHOOK_UNVERIFIED');
      } else {
        expect(res.statusCode, `${route.method} ${route.path}`).toBe(401);
        expect(res.json().error.code).toBe('ERR_UNAUTHENTICATED');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
    // Unknown routes too: nobody learns which routes exist without a key.
    expect((await inject('GET', '/api/v1/nothing-here')).statusCode).toBe(401);
    expect((await inject('GET', '/docs')).statusCode).toBeLessThan(400);
  });

  it('refuses forged, malformed, expired, revoked and mis-addressed credentials alike', async () => {
    const expiring = await admin.createKey({ name: 'short', project: 'alice' });
    const revoked = await admin.createKey({ name: 'gone', project: 'alice' });
    await admin.revokeKey(revoked.key.id);
    // Expiry is checked against the stored time: make one that has passed.
    await node.node.backends.store.revokeApiKey(expiring.key.id);
    const [, id] = /^aek_([A-Za-z0-9]{12})_/.exec(aliceKey)!;
    const bad: Record<string, string> = {
      'unknown key': `aek_${'A'.repeat(12)}_${'b'.repeat(32)}`,
      'right id, wrong secret': `aek_${id}_${'x'.repeat(32)}`,
      'one character changed': aliceKey.slice(0, -1) + (aliceKey.endsWith('a') ? 'b' : 'a'),
      'truncated key': aliceKey.slice(0, -3),
      'revoked key': revoked.secret,
      'expired key': expiring.secret,
      'alg none': new UnsecuredJWT({ project: 'alice', scope: 'aether:admin' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .encode(),
      'wrong signing secret': await jwt({ project: 'alice' }, { secret: randomBytes(32).toString('hex') }),
      'expired jwt': await jwt({ project: 'alice' }, { expiresIn: '-10m' }),
      'wrong audience': await new SignJWT({ project: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience('someone-else')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(JWT_SECRET)),
      'wrong issuer': await new SignJWT({ project: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('https://evil.test')
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(JWT_SECRET)),
      'no expiry': await new SignJWT({ project: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .sign(new TextEncoder().encode(JWT_SECRET)),
      'no project claim': await jwt({ sub: 'x' }),
      garbage: 'not-a-token',
    };
    for (const [what, token] of Object.entries(bad)) {
      const res = await inject('GET', '/api/v1/vms', token);
      expect(res.statusCode, what).toBe(401);
      expect(res.json().error.code, what).toBe('ERR_UNAUTHENTICATED');
    }
    const basic = await node.node.app!.inject({
      method: 'GET',
      url: '/api/v1/vms',
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    });
    expect(basic.statusCode).toBe(401);
    // And the good ones pass.
    expect((await inject('GET', '/api/v1/vms', aliceKey)).statusCode).toBe(200);
    expect((await inject('GET', '/api/v1/vms', await jwt({ project: 'alice', sub: 'ci' }))).statusCode).toBe(
      200,
    );
  });

  it('a revoked key stops working at once, and keys are shown once and stored only as hashes', async () => {
    const made = await alice.createKey({ name: 'temporary' });
    expect(made.secret).toMatch(/^aek_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$/);
    expect(made.key).toMatchObject({ project: 'alice', admin: false, state: 'active' });
    expect((await inject('GET', '/api/v1/vms', made.secret)).statusCode).toBe(200);
    const listed = await alice.listKeys();
    expect(JSON.stringify(listed)).not.toContain(made.secret.slice(17));
    const stored = await node.node.backends.store.getApiKey(made.key.id);
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(made.secret.slice(17));
    expect((await alice.revokeKey(made.key.id)).state).toBe('revoked');
    expect((await inject('GET', '/api/v1/vms', made.secret)).statusCode).toBe(401);
  });

  it("a plain key cannot make admin keys or keys of another project; bob cannot revoke alice's", async () => {
    await expect(alice.createKey({ name: 'x', admin: true })).rejects.toMatchObject({
      status: 403,
      code: 'ERR_FORBIDDEN',
    });
    await expect(alice.createKey({ name: 'x', project: 'bob' })).rejects.toMatchObject({
      status: 403,
      code: 'ERR_FORBIDDEN',
    });
    const aliceKeys = await alice.listKeys();
    expect(aliceKeys.every((k) => k.project === 'alice')).toBe(true);
    await expect(bob.revokeKey(aliceKeys[0]!.id)).rejects.toMatchObject({
      status: 404,
      code: 'ERR_KEY_NOT_FOUND',
    });
    // Admin-only routes.
    await expect(alice.listWorkers()).rejects.toMatchObject({ status: 403, code: 'ERR_FORBIDDEN' });
    expect((await admin.listWorkers()).length).toBeGreaterThan(0);
  });

  it("one project never sees another's VMs, tasks, executions or jobs: 404 for every id", async () => {
    const created = await alice.createVm({ name: 'secret-work' }, { wait: true });
    const vm = created.vm;
    const exec = await alice.execute(vm.id, { command: 'echo', args: ['mine'] }, { wait: true });
    const job = await alice.runJob(vm.id, { name: 'j', steps: [{ command: 'true' }] }, { wait: true });
    const ids: Record<string, string> = {
      vm: vm.id,
      task: created.task!.id,
      execution: exec.execution_id,
      job: job.job.id,
    };
    const byBob = [
      ['GET', `/api/v1/vms/${ids.vm}`],
      ['GET', '/api/v1/vms/secret-work'],
      ['DELETE', `/api/v1/vms/${ids.vm}`],
      ['POST', `/api/v1/vms/${ids.vm}/execute`, { command: 'id' }],
      ['POST', '/api/v1/vms/secret-work/execute', { command: 'id' }],
      ['GET', `/api/v1/vms/${ids.vm}/executions`],
      ['POST', `/api/v1/vms/${ids.vm}/jobs`, { name: 'x', steps: [{ command: 'id' }] }],
      ['GET', `/api/v1/tasks/${ids.task}`],
      ['GET', `/api/v1/executions/${ids.execution}`],
      ['GET', `/api/v1/jobs/${ids.job}`],
    ] as const;
    for (const [method, url, body] of byBob) {
      const res = await inject(method, url, bobKey, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect(await bob.listVms()).toEqual([]);
    // A name is per project: bob may use the same one.
    const bobs = await bob.createVm({ name: 'secret-work' });
    expect(bobs.vm.name).toBe('secret-work');
    expect((await alice.listVms()).map((v) => v.id)).toEqual([vm.id]);
    // The admin sees both; by name, across projects, a shared name is ambiguous.
    const all = (await admin.listVms()).map((v) => v.id);
    expect(all).toEqual(expect.arrayContaining([vm.id, bobs.vm.id]));
    await expect(admin.getVm('secret-work')).rejects.toMatchObject({
      status: 409,
      code: 'ERR_VM_NAME_AMBIGUOUS',
    });
    expect((await admin.getVm(vm.id)).id).toBe(vm.id);
    expect((await admin.getExecution(exec.execution_id)).stdout).toBe('mine\n');
    await alice.deleteVm(vm.id, { wait: true });
    await bob.deleteVm(bobs.vm.id, { wait: true });
  }, 60_000);

  it('streams: a WebSocket needs credentials (header or access_token), and another project gets 404', async () => {
    const { vm } = await alice.createVm({ name: 'streamed' }, { wait: true });
    const exec = await alice.execute(vm.id, { command: 'echo', args: ['streamed'] }, { wait: true });
    const wsUrl = `${node.url.replace(/^http/, 'ws')}/api/v1/executions/${exec.execution_id}/stream`;
    /** The HTTP status of the upgrade, or 101 and the messages until the server closes. */
    const open = (url: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; messages: string[] }>((resolve, reject) => {
        const socket = new WebSocket(url, { headers });
        const messages: string[] = [];
        socket.on('unexpected-response', (_req, res) => {
          resolve({ status: res.statusCode ?? 0, messages });
          socket.terminate();
        });
        socket.on('message', (data) => messages.push(data.toString()));
        socket.on('close', () => resolve({ status: 101, messages }));
        socket.on('error', (error) => {
          if (!String(error.message).includes('Unexpected server response')) reject(error);
        });
      });
    expect((await open(wsUrl)).status).toBe(401);
    expect((await open(wsUrl, { authorization: `Bearer ${bobKey}` })).status).toBe(404);
    const byHeader = await open(wsUrl, { authorization: `Bearer ${aliceKey}` });
    expect(byHeader.status).toBe(101);
    expect(byHeader.messages.join('\n')).toContain('exit');
    const byQuery = await open(`${wsUrl}?access_token=${aliceKey}`);
    expect(byQuery.status).toBe(101);
    expect(byQuery.messages.length).toBe(byHeader.messages.length);
    await alice.deleteVm(vm.id, { wait: true });
  }, 60_000);

  it('quotas: a project past its VM or vCPU quota gets 403 ERR_QUOTA_EXCEEDED, even when racing', async () => {
    const tiny = as((await admin.createKey({ name: 'tiny', project: 'tiny' })).secret);
    await expect(tiny.createVm({ name: 'big', vcpus: 4 })).rejects.toMatchObject({
      status: 403,
      code: 'ERR_QUOTA_EXCEEDED',
      message: expect.stringContaining('vCPUs'),
    });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => tiny.createVm({ name: `racer-${i}`, memory_mib: 256 })),
    );
    const made = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(made).toHaveLength(2);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_QUOTA_EXCEEDED' });
    // Deleting frees the quota.
    const first = (made[0] as PromiseFulfilledResult<{ vm: { id: string } }>).value.vm.id;
    await tiny.deleteVm(first, { wait: true }).catch(() => tiny.deleteVm(first, { wait: true }));
    await expect
      .poll(async () => (await node.node.services.vms.get(SYSTEM_ACCESS, first)).status, { timeout: 20_000 })
      .toBe('deleted');
    expect((await tiny.createVm({ name: 'after-delete' })).vm.name).toBe('after-delete');
  }, 60_000);
});

describe.skipIf(!canRun)('rate limits', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode({ AETHER_RATE_LIMIT_MAX: '5', AETHER_RATE_LIMIT_WINDOW_MS: '60000' });
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('counts per project, answers 429 ERR_RATE_LIMITED with Retry-After, and counts strangers per address', async () => {
    const app = node.node.app!;
    const headers = { authorization: `Bearer ${node.node.localAdminKey}` };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await app.inject({ method: 'GET', url: '/api/v1/vms', headers })).statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await app.inject({ method: 'GET', url: '/api/v1/vms', headers });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({ code: 'ERR_RATE_LIMITED', retryable: true });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Someone without a key is counted apart, and refused after as many guesses.
    const guesses: number[] = [];
    for (let i = 0; i < 7; i++) {
      guesses.push(
        (
          await app.inject({
            method: 'GET',
            url: '/api/v1/vms',
            headers: { authorization: 'Bearer aek_nope' },
            remoteAddress: '10.9.9.9',
          })
        ).statusCode,
      );
    }
    expect(guesses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(guesses.at(-1)).toBe(429);
  });
});
