import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { AetherError } from '../../core/errors.js';
import { callJson } from '../http-json.js';

/** How the integration proves who it is to GitHub: a token, or a GitHub App's installation. */
export interface GitHubAuth {
  readonly kind: 'token' | 'app';
  /**
   * A token for API calls and git over HTTPS. `installationId` is the webhook's installation,
   * used by App auth when none is configured.
   */
  token(installationId?: number): Promise<string>;
}

export function tokenAuth(token: string): GitHubAuth {
  return { kind: 'token', token: async () => token };
}

/** Renew an installation token this long before GitHub's expiry (they live one hour). */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * GitHub App auth: a JWT (RS256, iss = App id, at most 10 minutes) signed with the App's key is
 * exchanged for an installation token, cached per installation until shortly before it expires.
 */
export function appAuth(options: {
  apiUrl: string;
  appId: string;
  privateKeyPem: string;
  installationId?: number;
  now?: () => number;
}): GitHubAuth {
  let key: KeyObject;
  try {
    // Accepts GitHub's PKCS#1 ("BEGIN RSA PRIVATE KEY") as well as PKCS#8.
    key = createPrivateKey(options.privateKeyPem);
  } catch {
    throw new AetherError('ERR_CONFIG', 'github.app_private_key is not a readable PEM private key');
  }
  const now = options.now ?? Date.now;
  const cache = new Map<number, { token: string; expiresAt: number }>();
  async function appJwt(): Promise<string> {
    const seconds = Math.floor(now() / 1000);
    // Backdated a minute: GitHub refuses a JWT issued "in the future" by a clock ahead of its own.
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(options.appId)
      .setIssuedAt(seconds - 60)
      .setExpirationTime(seconds + 9 * 60)
      .sign(key);
  }
  return {
    kind: 'app',
    async token(webhookInstallation?: number) {
      const installation = options.installationId ?? webhookInstallation;
      if (installation === undefined) {
        throw new AetherError(
          'ERR_CONFIG',
          'GitHub App auth needs an installation: set github.app_installation_id, or send webhooks from the App',
        );
      }
      const cached = cache.get(installation);
      if (cached && cached.expiresAt - RENEW_BEFORE_MS > now()) return cached.token;
      const answer = await callJson<{ token: string; expires_at: string }>(
        'github',
        `${options.apiUrl}/app/installations/${installation}/access_tokens`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${await appJwt()}`, 'x-github-api-version': '2022-11-28' },
        },
      );
      cache.set(installation, { token: answer.token, expiresAt: Date.parse(answer.expires_at) });
      return answer.token;
    },
  };
}
