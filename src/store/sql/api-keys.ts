import { desc, eq, sql } from 'drizzle-orm';
import type { ApiKeyRecord, NewApiKey, StoredApiKey } from '../../core/api-key.js';
import { toApiKeyRecord, toStoredApiKey } from '../records.js';
import { apiKeys } from '../schema.js';
import type { Db } from './db.js';

export async function insertApiKey(db: Db, key: NewApiKey): Promise<StoredApiKey> {
  const [row] = await db
    .insert(apiKeys)
    .values({
      id: key.id,
      name: key.name,
      project: key.project,
      admin: key.admin,
      hash: key.hash,
      expiresAt: key.expiresAt,
    })
    .returning();
  return toStoredApiKey(row!);
}

export async function getApiKey(db: Db, id: string): Promise<StoredApiKey | null> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row ? toStoredApiKey(row) : null;
}

export async function listApiKeys(db: Db, project?: string): Promise<ApiKeyRecord[]> {
  const query = db.select().from(apiKeys);
  const rows = await (project === undefined ? query : query.where(eq(apiKeys.project, project))).orderBy(
    desc(apiKeys.createdAt),
    desc(apiKeys.id),
  );
  return rows.map(toApiKeyRecord);
}

export async function revokeApiKey(db: Db, id: string): Promise<ApiKeyRecord | null> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(eq(apiKeys.id, id))
    .returning();
  return row ? toApiKeyRecord(row) : null;
}
