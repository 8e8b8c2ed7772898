/**
 * Browser sessions: what the web dashboard signs in with. A person gives an API key or a JWT
 * once; the gateway answers with a random session secret in an HttpOnly cookie and keeps only
 * the secret's SHA-256, with the principal it stands for. Every request bringing the cookie
 * looks the session up in the store, so signing out (or revoking the key behind it) holds at
 * once on every gateway.
 */

/** How long a session lasts when the configuration does not say: 12 hours. */
export const DEFAULT_SESSION_TTL_SECONDS = 12 * 3600;
/** The longest a session may be configured to last: 30 days. */
export const MAX_SESSION_TTL_SECONDS = 30 * 86_400;

/** How a person signed in: with an API key, or with a JWT from the configured issuer. */
export const SESSION_VIAS = ['api_key', 'jwt'] as const;

export interface SessionRecord {
  id: string;
  project: string;
  admin: boolean;
  /** How the person signed in. */
  via: (typeof SESSION_VIAS)[number];
  /** The principal's id, as the credential gave it: an API key id, or `jwt:<sub>`. */
  principalId: string;
  /** The API key it was made with; null for a JWT. A revoked or expired key ends the session. */
  keyId: string | null;
  /** For people: the key's name, or the JWT's `sub`. */
  subject: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface NewSession extends Omit<SessionRecord, 'createdAt' | 'revokedAt'> {
  /** SHA-256 of the session secret, hex. */
  secretHash: string;
}

/**
 * The sessions' part of the Store. Rules every implementation keeps:
 * - Secret hashes are unique; a session is looked up by the hash, never by the secret.
 * - A session is usable while it is not revoked, not past `expiresAt`, and the API key it was
 *   made with (if any) is neither revoked nor expired, all at the database's clock.
 * - Revoking sets `revokedAt` once; revoking again keeps the first time.
 */
export interface SessionStore {
  insertSession(session: NewSession): Promise<SessionRecord>;
  /** The usable session whose secret hashes to `secretHash`; null for any other. */
  findActiveSession(secretHash: string): Promise<SessionRecord | null>;
  /** Null for an unknown id. */
  revokeSession(id: string): Promise<SessionRecord | null>;
}
