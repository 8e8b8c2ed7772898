import { desc, eq, sql } from 'drizzle-orm';
import { isUuid } from '../../core/ids.js';
import type { NewPreview, PreviewRecord } from '../../core/preview.js';
import { vmPreviews as p } from '../schema.js';
import type { Db } from './db.js';

type PreviewRow = typeof p.$inferSelect;

function toPreview(row: PreviewRow): PreviewRecord {
  return {
    id: row.id,
    vmId: row.vmId,
    project: row.project,
    port: row.port,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    createdBy: row.createdBy,
  };
}

export async function insertPreview(db: Db, preview: NewPreview): Promise<PreviewRecord> {
  const [row] = await db.insert(p).values(preview).returning();
  return toPreview(row!);
}

export async function getPreview(db: Db, id: string): Promise<PreviewRecord | null> {
  const [row] = await db.select().from(p).where(eq(p.id, id));
  return row ? toPreview(row) : null;
}

export async function findPreviewByTokenHash(db: Db, tokenHash: string): Promise<PreviewRecord | null> {
  const [row] = await db.select().from(p).where(eq(p.tokenHash, tokenHash));
  return row ? toPreview(row) : null;
}

export async function listPreviews(
  db: Db,
  vmId: string,
  options: { limit?: number } = {},
): Promise<PreviewRecord[]> {
  if (!isUuid(vmId)) return [];
  const rows = await db
    .select()
    .from(p)
    .where(eq(p.vmId, vmId))
    .orderBy(desc(p.createdAt), desc(p.id))
    .limit(options.limit ?? 100);
  return rows.map(toPreview);
}

export async function revokePreview(db: Db, id: string): Promise<PreviewRecord | null> {
  const [row] = await db
    .update(p)
    .set({ revokedAt: sql`coalesce(${p.revokedAt}, now())` })
    .where(eq(p.id, id))
    .returning();
  return row ? toPreview(row) : null;
}
