import { and, eq, sql } from 'drizzle-orm';
import { isUuid } from '../../core/ids.js';
import type { NewSnapshot, SnapshotOutcome, SnapshotRecord } from '../../core/snapshot.js';
import { vmSnapshots } from '../schema.js';
import type { Db } from './db.js';

type SnapshotRow = typeof vmSnapshots.$inferSelect;

function toSnapshotRecord(row: SnapshotRow): SnapshotRecord {
  return {
    id: row.id,
    project: row.project,
    sourceVmId: row.sourceVmId,
    driver: row.driver,
    workerId: row.workerId,
    image: row.image,
    vcpus: row.vcpus,
    memoryMiB: row.memoryMiB,
    statePath: row.statePath,
    sizeBytes: row.sizeBytes,
    status: row.status,
    statusReason: row.statusReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function insertSnapshot(db: Db, snapshot: NewSnapshot): Promise<SnapshotRecord> {
  const [row] = await db.insert(vmSnapshots).values(snapshot).returning();
  return toSnapshotRecord(row!);
}

export async function getSnapshot(db: Db, id: string): Promise<SnapshotRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(vmSnapshots).where(eq(vmSnapshots.id, id));
  return row ? toSnapshotRecord(row) : null;
}

export async function completeSnapshot(
  db: Db,
  id: string,
  outcome: SnapshotOutcome,
): Promise<SnapshotRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .update(vmSnapshots)
    .set({
      status: outcome.status,
      statusReason: outcome.statusReason ?? null,
      statePath: outcome.statePath ?? null,
      sizeBytes: outcome.sizeBytes ?? null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(vmSnapshots.id, id), eq(vmSnapshots.status, 'pending')))
    .returning();
  return row ? toSnapshotRecord(row) : null;
}
