/** An API key as the platform shows it: never the secret, never its hash. */
export interface ApiKeyRecord {
  /** Public id, also the key's lookup part: `aek_<id>_<secret>`. */
  id: string;
  name: string;
  project: string;
  admin: boolean;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** What the store keeps: the record plus the SHA-256 of the whole key (hex). */
export interface StoredApiKey extends ApiKeyRecord {
  hash: string;
}

export type NewApiKey = Omit<StoredApiKey, 'createdAt' | 'revokedAt'>;

/** Usable now: not revoked and not past its expiry. */
export function isApiKeyActive(key: ApiKeyRecord, now: Date = new Date()): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt.getTime() > now.getTime());
}
