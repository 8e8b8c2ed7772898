import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { AetherError } from '../../core/errors.js';
import { PROJECT_PATTERN, type Principal } from '../../core/principal.js';

export interface JwtSettings {
  /** HS256/384/512 shared secret. */
  secret?: string;
  /** PEM SPKI public key (RSA, EC or Ed25519). */
  publicKeyPem?: string;
  jwksUrl?: string;
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required `aud`. */
  audience: string;
  /** Accepted `alg`s. `none` is never accepted, whatever this says. */
  algorithms: string[];
  projectClaim: string;
  adminScope: string;
  /** Leeway for `exp`/`nbf` between clocks. */
  clockToleranceSec?: number;
}

export type JwtVerifier = (token: string) => Promise<Principal | null>;

type KeySource = Uint8Array | KeyObject | ReturnType<typeof createRemoteJWKSet>;

/** The scopes a token grants: `scope` (space-separated, RFC 8693) or `scp` (a list). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  return [];
}

/**
 * Verifies bearer JWTs against one configured key (RFC 8725: algorithms pinned, issuer and
 * audience checked, `exp` required, keys never taken from the token's header). Returns null for
 * every kind of bad token, so callers answer them alike; null when no key is configured at all.
 */
export function createJwtVerifier(settings: JwtSettings): JwtVerifier | null {
  const algorithms = settings.algorithms.filter((a) => a.toLowerCase() !== 'none');
  let key: KeySource;
  if (settings.secret) key = new TextEncoder().encode(settings.secret);
  else if (settings.publicKeyPem) {
    try {
      key = createPublicKey(settings.publicKeyPem);
    } catch (error) {
      throw new AetherError(
        'ERR_CONFIG',
        `the JWT public key is not a valid PEM key: ${(error as Error).message}`,
      );
    }
  } else if (settings.jwksUrl) key = createRemoteJWKSet(new URL(settings.jwksUrl));
  else return null;
  if (algorithms.length === 0) throw new AetherError('ERR_CONFIG', 'no JWT algorithm is accepted');

  return async (token) => {
    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        audience: settings.audience,
        ...(settings.issuer ? { issuer: settings.issuer } : {}),
        requiredClaims: ['exp'],
        clockTolerance: settings.clockToleranceSec ?? 30,
      });
      payload = verified.payload;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return null;
      throw error;
    }
    const project = payload[settings.projectClaim];
    if (typeof project !== 'string' || !PROJECT_PATTERN.test(project)) return null;
    return {
      id: `jwt:${typeof payload.sub === 'string' ? payload.sub.slice(0, 200) : 'anonymous'}`,
      project,
      admin: scopesOf(payload).includes(settings.adminScope),
      via: 'jwt',
    };
  };
}
