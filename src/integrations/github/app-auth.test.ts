import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServices, startFakeServices } from '../../../test/support/fake-github-slack.js';
import { CallRecord } from '../http-json.js';
import { appAuth } from './app-auth.js';
import { GitHubClient } from './client.js';

describe('GitHub App auth', () => {
  let fake: FakeServices;
  let gitRoot: string;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // GitHub hands out PKCS#1 keys ("BEGIN RSA PRIVATE KEY").
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

  beforeAll(async () => {
    gitRoot = mkdtempSync(path.join(os.tmpdir(), 'aether-git-'));
    fake = await startFakeServices({ gitRoot, installationToken: 'ghs_from_installation' });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(gitRoot, { recursive: true, force: true });
  });

  it('exchanges an RS256 JWT for an installation token, cached until near its expiry', async () => {
    const auth = appAuth({ apiUrl: fake.githubApi, appId: '12345', privateKeyPem: pem });
    const client = new GitHubClient(fake.githubApi, auth, new CallRecord());
    await client.comment({ owner: 'acme', repo: 'widgets' }, 3, 'hello', 777);
    await client.comment({ owner: 'acme', repo: 'widgets' }, 3, 'again', 777);
    const exchanges = fake.requests.filter((r) => r.path === '/github/app/installations/777/access_tokens');
    expect(exchanges).toHaveLength(1);
    const jwt = String(exchanges[0]!.headers.authorization).replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, { issuer: '12345' });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(600);
    const comments = fake.requests.filter((r) => r.path === '/github/repos/acme/widgets/issues/3/comments');
    expect(comments.map((r) => r.headers.authorization)).toEqual([
      'Bearer ghs_from_installation',
      'Bearer ghs_from_installation',
    ]);
  });

  it('needs an installation, from the config or the webhook', async () => {
    const auth = appAuth({ apiUrl: fake.githubApi, appId: '12345', privateKeyPem: pem });
    await expect(auth.token()).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    expect(() => appAuth({ apiUrl: fake.githubApi, appId: '1', privateKeyPem: 'not a key' })).toThrow(/PEM/);
  });
});
