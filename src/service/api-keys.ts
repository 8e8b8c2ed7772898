import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type ApiKeyRecord, isApiKeyActive, type StoredApiKey } from '../core/api-key.js';
import { AetherError } from '../core/errors.js';
import { type Access, canSee, PROJECT_PATTERN, type Principal } from '../core/principal.js';
import type { Store } from '../core/store.js';

/**
 * Keys look like `aek_<id>_<secret>`: the prefix lets secret scanners and people recognise them,
 * the 12-character id finds the stored row without scanning, and the 32-character secret carries
 * ~190 bits. Only SHA-256 of the whole key is stored; a key is shown once, when it is made.
 */
export const API_KEY_PREFIX = 'aek_';
const KEY_PATTERN = /^aek_([A-Za-z0-9]{12})_([A-Za-z0-9]{32})$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Unbiased random text over ALPHABET (rejection sampling: 62 does not divide 256). */
function randomText(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export interface CreateApiKeyInput {
  name: string;
  /** Defaults to the caller's project; another project only for admins. */
  project?: string;
  admin?: boolean;
  expiresAt?: Date | null;
}

export interface ApiKeyServiceOptions {
  /**
   * How long a verified key is trusted without asking the store again. Revocation through this
   * process is immediate; through another gateway it takes effect within this time.
   */
  cacheTtlMs?: number;
  now?: () => number;
}

/** Creating, listing, revoking and verifying API keys. */
export class ApiKeyService {
  private readonly cache = new Map<string, { key: StoredApiKey; fetchedAt: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    options: ApiKeyServiceOptions = {},
  ) {
    this.ttlMs = options.cacheTtlMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Returns the record and the key itself, which is never available again. */
  async create(access: Access, input: CreateApiKeyInput): Promise<{ key: ApiKeyRecord; secret: string }> {
    const project = input.project ?? access.project;
    if (!PROJECT_PATTERN.test(project)) {
      throw new AetherError(
        'ERR_VALIDATION',
        `project "${project}" must be 1-63 lowercase letters, digits, - or _`,
      );
    }
    if ((project !== access.project || input.admin) && !access.all) {
      throw new AetherError(
        'ERR_FORBIDDEN',
        'only an admin key can make keys for another project or admin keys',
      );
    }
    if (input.expiresAt && input.expiresAt.getTime() <= this.now()) {
      throw new AetherError('ERR_VALIDATION', 'expires_at must be in the future');
    }
    const id = randomText(12);
    const secret = `${API_KEY_PREFIX}${id}_${randomText(32)}`;
    const stored = await this.store.insertApiKey({
      id,
      name: input.name,
      project,
      admin: input.admin ?? false,
      hash: sha256Hex(secret),
      expiresAt: input.expiresAt ?? null,
    });
    const { hash: _hash, ...key } = stored;
    return { key, secret };
  }

  /** The caller's project's keys, or every key for an admin. */
  list(access: Access): Promise<ApiKeyRecord[]> {
    return this.store.listApiKeys(access.all ? undefined : access.project);
  }

  async revoke(access: Access, id: string): Promise<ApiKeyRecord> {
    const existing = await this.store.getApiKey(id);
    if (!existing || !canSee(access, existing.project)) {
      throw new AetherError('ERR_KEY_NOT_FOUND', `no API key with id ${id}`);
    }
    this.cache.delete(id);
    const revoked = await this.store.revokeApiKey(id);
    if (!revoked) throw new AetherError('ERR_KEY_NOT_FOUND', `no API key with id ${id}`);
    return revoked;
  }

  /** Whether `secret` is a key this store issued, as it stands now (null when it is not). */
  async isValid(secret: string): Promise<boolean> {
    return (await this.verify(secret)) !== null;
  }

  /**
   * The principal a key stands for, or null for a malformed, unknown, wrong, revoked or expired
   * key (the caller answers all of them alike). The hash comparison is constant-time.
   */
  async verify(secret: string): Promise<Principal | null> {
    const match = KEY_PATTERN.exec(secret);
    if (!match) return null;
    const id = match[1]!;
    const key = await this.lookup(id);
    if (!key) return null;
    const expected = Buffer.from(key.hash, 'hex');
    const actual = createHash('sha256').update(secret).digest();
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
    if (!isApiKeyActive(key, new Date(this.now()))) return null;
    return { id: key.id, project: key.project, admin: key.admin, via: 'api_key' };
  }

  private async lookup(id: string): Promise<StoredApiKey | null> {
    const cached = this.cache.get(id);
    if (cached && this.now() - cached.fetchedAt < this.ttlMs) return cached.key;
    const key = await this.store.getApiKey(id);
    if (key) this.cache.set(id, { key, fetchedAt: this.now() });
    else this.cache.delete(id);
    // Bounded: ids of real keys only, and a gateway serves a handful of them.
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    return key;
  }
}
