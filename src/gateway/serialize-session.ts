import type { Session } from '../api/sessions.js';
import type { Principal } from '../core/principal.js';
import type { SessionRecord } from '../core/session.js';
import type { CredentialInfo } from '../service/sessions.js';

/** A session a cookie holds, with the CSRF token the page must send back. */
export function sessionJson(session: SessionRecord, csrfToken: string): Session {
  return {
    project: session.project,
    admin: session.admin,
    key_id: session.keyId,
    subject: session.subject,
    expires_at: session.expiresAt.toISOString(),
    csrf_token: csrfToken,
    credentials: 'session',
  };
}

/** A caller without a session: a bearer token's credential, or nobody with auth off. */
export function bearerCallerJson(
  principal: Principal,
  credential: CredentialInfo,
  anonymous: boolean,
): Session {
  return {
    project: principal.project,
    admin: principal.admin,
    key_id: credential.keyId,
    subject: credential.subject,
    expires_at: credential.expiresAt?.toISOString() ?? null,
    csrf_token: null,
    credentials: anonymous ? 'none' : 'bearer',
  };
}
