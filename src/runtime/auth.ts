import { QUOTA_ENTRY } from '../core/config/auth-options.js';
import { defaultCredentialsPath, findGatewayKey, saveGatewayKey } from '../core/credentials-file.js';
import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { DEFAULT_PROJECT, type Quota } from '../core/principal.js';
import type { Store } from '../core/store.js';
import type { Authenticator } from '../gateway/auth/authenticate.js';
import { createJwtVerifier } from '../gateway/auth/jwt-verifier.js';
import { ApiKeyService } from '../service/api-keys.js';
import { SessionService } from '../service/sessions.js';
import type { AetherConfig } from './config.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function credentialsPath(config: AetherConfig, env: NodeJS.ProcessEnv = process.env): string {
  return config.credentialsFile || defaultCredentialsPath(env);
}

/** Refuses to serve beyond loopback without authentication: one clear line, before listening. */
export function checkExposure(config: AetherConfig): void {
  if (config.auth === 'off' && !LOOPBACK.test(config.host)) {
    throw new AetherError(
      'ERR_CONFIG',
      `refusing to listen on ${config.host} with auth off: anyone who can reach it could run code on this host; set AETHER_AUTH=on (the default) or listen on 127.0.0.1`,
      { details: { option: 'auth' } },
    );
  }
}

export function buildAuthenticator(config: AetherConfig, store: Store): Authenticator {
  const apiKeys = new ApiKeyService(store);
  const algorithms = config.jwtAlgorithms
    ? config.jwtAlgorithms
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean)
    : config.jwtSecret
      ? ['HS256']
      : ['RS256', 'ES256', 'EdDSA'];
  const jwt = createJwtVerifier({
    ...(config.jwtSecret ? { secret: config.jwtSecret } : {}),
    ...(config.jwtPublicKey ? { publicKeyPem: config.jwtPublicKey } : {}),
    ...(config.jwtJwksUrl ? { jwksUrl: config.jwtJwksUrl } : {}),
    ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
    audience: config.jwtAudience,
    algorithms,
    projectClaim: config.jwtProjectClaim,
    adminScope: config.jwtAdminScope,
  });
  return {
    apiKeys,
    jwt,
    sessions: new SessionService(store, { ttlSeconds: config.sessionTtlSeconds }),
    ...(config.auth === 'off'
      ? { anonymous: { id: 'anonymous', project: DEFAULT_PROJECT, admin: true, via: 'api_key' as const } }
      : {}),
  };
}

/** The quota of each project: its own entry in `quotaProjects`, else the defaults; 0 = unlimited. */
export function quotaLookup(config: AetherConfig): (project: string) => Quota | undefined {
  const unlimited = (n: number) => (n === 0 ? Number.POSITIVE_INFINITY : n);
  const byProject = new Map<string, Quota>();
  for (const entry of config.quotaProjects
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [, project, vms, vcpus, memory] = QUOTA_ENTRY.exec(entry)!;
    byProject.set(project!, {
      vms: unlimited(Number(vms)),
      vcpus: unlimited(Number(vcpus)),
      memoryMiB: unlimited(Number(memory)),
    });
  }
  const fallback: Quota = {
    vms: unlimited(config.quotaVms),
    vcpus: unlimited(config.quotaVcpus),
    memoryMiB: unlimited(config.quotaMemoryMiB),
  };
  return (project) => byProject.get(project) ?? fallback;
}

/**
 * On a gateway's start: unless the credentials file already holds a working key for this
 * gateway, make an admin key and save it there, so `aether` on this host works with no extra
 * step. Returns the key in use. The key is never printed.
 */
export async function ensureLocalAdminKey(
  config: AetherConfig,
  apiKeys: ApiKeyService,
  url: string,
  logger: Logger,
): Promise<string | null> {
  if (config.auth === 'off') return null;
  const file = credentialsPath(config);
  const saved = findGatewayKey(file, url);
  if (saved && (await apiKeys.isValid(saved))) return saved;
  const { key, secret } = await apiKeys.create(
    { project: DEFAULT_PROJECT, all: true },
    { name: 'local admin (made by aether on first start)', admin: true },
  );
  saveGatewayKey(file, url, secret);
  logger.info({ keyId: key.id, file }, 'made a local admin key');
  return secret;
}
