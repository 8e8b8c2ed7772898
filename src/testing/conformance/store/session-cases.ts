import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import type { NewSession } from '../../../core/session.js';
import type { Store } from '../../../core/store.js';
import type { SuiteContext } from './fixtures.js';

const hash = () => createHash('sha256').update(randomBytes(32)).digest('hex');
const inAnHour = () => new Date(Date.now() + 3_600_000);

function newSession(overrides: Partial<NewSession> = {}): NewSession {
  return {
    id: newId(),
    secretHash: hash(),
    project: 'default',
    admin: false,
    via: 'jwt',
    principalId: 'jwt:someone',
    keyId: null,
    subject: 'someone',
    expiresAt: inAnHour(),
    ...overrides,
  };
}

async function newKey(store: Store, expiresAt: Date | null = null): Promise<string> {
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  await store.insertApiKey({ id, name: 'k', project: 'default', admin: false, hash: hash(), expiresAt });
  return id;
}

export function describeSessionCases(ctx: SuiteContext): void {
  describe('browser sessions', () => {
    it('stores a session and finds it by the hash of its secret, never showing the hash', async () => {
      const store: Store = ctx.store();
      const input = newSession({ admin: true, project: 'p1' });
      const stored = await store.insertSession(input);
      const { secretHash: _hash, ...expected } = input;
      expect(stored).toEqual({ ...expected, createdAt: expect.any(Date), revokedAt: null });
      expect(stored).not.toHaveProperty('secretHash');
      expect(await store.findActiveSession(input.secretHash)).toEqual(stored);
      expect(await store.findActiveSession(hash())).toBeNull();
    });

    it('clears sessions that ended a day ago or more at the next sign-in, keeping recent ones', async () => {
      const store = ctx.store();
      const old = await store.insertSession(newSession({ expiresAt: new Date(Date.now() - 2 * 86_400_000) }));
      const recent = await store.insertSession(newSession({ expiresAt: new Date(Date.now() - 3_600_000) }));
      await store.insertSession(newSession());
      expect(await store.revokeSession(old.id)).toBeNull();
      expect(await store.revokeSession(recent.id)).toMatchObject({ id: recent.id });
    });

    it('refuses a secret hash twice', async () => {
      const store = ctx.store();
      const first = newSession();
      await store.insertSession(first);
      await expect(store.insertSession(newSession({ secretHash: first.secretHash }))).rejects.toThrow();
    });

    it('finds no session past its expiry, or revoked; revoking twice keeps the first time', async () => {
      const store = ctx.store();
      const expired = newSession({ expiresAt: new Date(Date.now() - 1000) });
      await store.insertSession(expired);
      expect(await store.findActiveSession(expired.secretHash)).toBeNull();

      const revoked = newSession();
      await store.insertSession(revoked);
      const first = await store.revokeSession(revoked.id);
      expect(first?.revokedAt).toBeInstanceOf(Date);
      expect((await store.revokeSession(revoked.id))?.revokedAt).toEqual(first?.revokedAt);
      expect(await store.findActiveSession(revoked.secretHash)).toBeNull();
      expect(await store.revokeSession(newId())).toBeNull();
    });

    it('ends the sessions of a key once the key is revoked or expired', async () => {
      const store = ctx.store();
      const keyId = await newKey(store);
      const session = newSession({ via: 'api_key', keyId, principalId: keyId });
      await store.insertSession(session);
      expect((await store.findActiveSession(session.secretHash))?.keyId).toBe(keyId);
      await store.revokeApiKey(keyId);
      expect(await store.findActiveSession(session.secretHash)).toBeNull();

      const expiredKey = await newKey(store, new Date(Date.now() - 1000));
      const late = newSession({ via: 'api_key', keyId: expiredKey, principalId: expiredKey });
      await store.insertSession(late);
      expect(await store.findActiveSession(late.secretHash)).toBeNull();
    });
  });
}
