import type { ApiKey } from '../api/keys.js';
import { type ApiKeyRecord, isApiKeyActive } from '../core/api-key.js';

export function apiKeyJson(key: ApiKeyRecord): ApiKey {
  return {
    id: key.id,
    name: key.name,
    project: key.project,
    admin: key.admin,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    state: key.revokedAt ? 'revoked' : isApiKeyActive(key) ? 'active' : 'expired',
  };
}
