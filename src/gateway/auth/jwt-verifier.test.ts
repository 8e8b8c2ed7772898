import { createServer, type Server } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier } from './jwt-verifier.js';

const base = { audience: 'aud', projectClaim: 'project', adminScope: 'aether:admin' };

async function sign(
  key: Parameters<SignJWT['sign']>[0],
  alg: string,
  claims: Record<string, unknown> = { project: 'p1', sub: 'u' },
  audience = 'aud',
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: 'k1' })
    .setAudience(audience)
    .setExpirationTime('5m')
    .sign(key);
}

describe('JWT verifier', () => {
  it('accepts RS256 and EdDSA tokens of the configured public key, with project and admin scope', async () => {
    for (const alg of ['RS256', 'EdDSA'] as const) {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const verify = createJwtVerifier({
        ...base,
        publicKeyPem: await exportSPKI(publicKey),
        algorithms: [alg],
      })!;
      expect(await verify(await sign(privateKey, alg))).toEqual({
        id: 'jwt:u',
        project: 'p1',
        admin: false,
        via: 'jwt',
      });
      const admin = await sign(privateKey, alg, { project: 'p1', scope: 'read aether:admin' });
      expect((await verify(admin))?.admin).toBe(true);
      const scp = await sign(privateKey, alg, { project: 'p1', scp: ['aether:admin'] });
      expect((await verify(scp))?.admin).toBe(true);
    }
  });

  it('refuses the RS256→HS256 confusion (the public key used as an HMAC secret) and other keys', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const verify = createJwtVerifier({ ...base, publicKeyPem: pem, algorithms: ['RS256'] })!;
    const confused = await sign(new TextEncoder().encode(pem), 'HS256');
    expect(await verify(confused)).toBeNull();
    const other = await generateKeyPair('RS256');
    expect(await verify(await sign(other.privateKey, 'RS256'))).toBeNull();
    expect(await verify(await sign(privateKey, 'RS256', { project: 'p1' }, 'other-aud'))).toBeNull();
    expect(await verify(await sign(privateKey, 'RS256', { project: 'Bad Project!' }))).toBeNull();
    expect(await verify('a.b.c')).toBeNull();
  });

  it('never accepts alg none, even when listed', async () => {
    const verify = createJwtVerifier({ ...base, secret: 'x'.repeat(32), algorithms: ['none', 'HS256'] })!;
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ project: 'p1', aud: 'aud', exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url');
    expect(await verify(`${header}.${payload}.`)).toBeNull();
  });

  it('is absent when no key is configured', () => {
    expect(createJwtVerifier({ ...base, algorithms: ['HS256'] })).toBeNull();
  });

  describe('with a JWKS URL', () => {
    let server: Server;
    let url: string;
    let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
    beforeAll(async () => {
      const pair = await generateKeyPair('ES256', { extractable: true });
      privateKey = pair.privateKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
      server = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('verifies with the key the set publishes, by kid', async () => {
      const verify = createJwtVerifier({ ...base, jwksUrl: url, algorithms: ['ES256'] })!;
      expect((await verify(await sign(privateKey, 'ES256')))?.project).toBe('p1');
      const stranger = await generateKeyPair('ES256');
      expect(await verify(await sign(stranger.privateKey, 'ES256'))).toBeNull();
    });
  });
});
