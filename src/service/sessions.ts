/**
 * Browser sessions (core/session.ts): made from a credential the gateway has verified, found
 * again from the secret a cookie brings, ended by signing out. The secret is 32 random bytes,
 * shown once (in the cookie) and kept only as its SHA-256; the CSRF token is derived from it,
 * so nothing else about a session needs keeping.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AetherError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Principal } from '../core/principal.js';
import type { SessionRecord } from '../core/session.js';
import type { Store } from '../core/store.js';

/** 32 bytes as base64url, as this service makes them; anything else is not looked up at all. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** What the CSRF token of a session is the HMAC of, keyed by the session's secret. */
const CSRF_LABEL = 'aetherium csrf token v1';

export interface SessionServiceOptions {
  /** How long a new session lasts. */
  ttlSeconds: number;
  now?: () => number;
}

/** Who a credential stands for, as the session answers show it. */
export interface CredentialInfo {
  /** The API key behind it; null for a JWT. */
  keyId: string | null;
  /** The key's name, or the JWT's subject. */
  subject: string;
  /** When the credential stops working; null when it does not expire. */
  expiresAt: Date | null;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class SessionService {
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<
      Store,
      'insertSession' | 'findActiveSession' | 'revokeSession' | 'getApiKey'
    >,
    options: SessionServiceOptions,
  ) {
    this.ttlMs = options.ttlSeconds * 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Signs `principal` in: the session ends after the configured time, or when the credential
   * does (a JWT's `exp`, an API key's expiry) if that comes first. `credentialExpiresAt` is the
   * JWT's `exp`, which only the caller has read. Returns the secret, never available again.
   */
  async create(
    principal: Principal,
    credentialExpiresAt: Date | null = null,
  ): Promise<{ session: SessionRecord; secret: string }> {
    const credential = await this.describe(principal, credentialExpiresAt);
    const now = this.now();
    const expiresAt = Math.min(now + this.ttlMs, credential.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    if (expiresAt <= now) {
      throw new AetherError('ERR_UNAUTHENTICATED', 'the credential has expired; sign in with a valid one');
    }
    const secret = randomBytes(32).toString('base64url');
    const session = await this.store.insertSession({
      id: newId(),
      secretHash: sha256Hex(secret),
      project: principal.project,
      admin: principal.admin,
      via: principal.via,
      principalId: principal.id,
      keyId: credential.keyId,
      subject: credential.subject,
      expiresAt: new Date(expiresAt),
    });
    return { session, secret };
  }

  /** The usable session a cookie's secret opens; null for a malformed, unknown or ended one. */
  async resolve(secret: string): Promise<SessionRecord | null> {
    if (!SECRET_PATTERN.test(secret)) return null;
    return this.store.findActiveSession(sha256Hex(secret));
  }

  /** Ends a session on every gateway at once. */
  async revoke(id: string): Promise<void> {
    await this.store.revokeSession(id);
  }

  /** The credential behind a principal: the key and its name, or the JWT's subject and `exp`. */
  async describe(principal: Principal, jwtExpiresAt: Date | null = null): Promise<CredentialInfo> {
    if (principal.via === 'jwt') {
      return { keyId: null, subject: principal.id.replace(/^jwt:/, ''), expiresAt: jwtExpiresAt };
    }
    const key = await this.store.getApiKey(principal.id);
    return key
      ? { keyId: key.id, subject: key.name, expiresAt: key.expiresAt }
      : // With auth off every request acts as a principal no key stands for.
        { keyId: null, subject: principal.id, expiresAt: null };
  }

  /** The CSRF token of the session whose secret this is. */
  csrfTokenOf(secret: string): string {
    return createHmac('sha256', secret).update(CSRF_LABEL).digest('base64url');
  }

  /** Whether `given` is the CSRF token of the session whose secret this is (constant time). */
  csrfTokenMatches(secret: string, given: string): boolean {
    const expected = Buffer.from(this.csrfTokenOf(secret));
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

/** The principal a session acts as: the one it was made for. */
export function principalOfSession(session: SessionRecord): Principal {
  return { id: session.principalId, project: session.project, admin: session.admin, via: session.via };
}
