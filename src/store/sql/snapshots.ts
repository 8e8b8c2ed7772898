import { and, desc, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import { isUuid } from '../../core/ids.js';
import type { NewSnapshot, SnapshotOutcome, SnapshotRecord, SnapshotStatus } from '../../core/snapshot.js';
import type { SnapshotFilter, Transition } from '../../core/store.js';
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

export async function transitionSnapshot(
  db: Db,
  id: string,
  change: Transition<SnapshotStatus>,
): Promise<SnapshotRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .update(vmSnapshots)
    .set({ status: change.to, statusReason: change.reason, updatedAt: sql`now()` })
    .where(and(eq(vmSnapshots.id, id), inArray(vmSnapshots.status, [...change.from])))
    .returning();
  return row ? toSnapshotRecord(row) : null;
}

export async function listSnapshots(db: Db, filter: SnapshotFilter = {}): Promise<SnapshotRecord[]> {
  const where: SQL[] = [];
  if (filter.project !== undefined) where.push(eq(vmSnapshots.project, filter.project));
  if (filter.sourceVmId !== undefined) {
    if (!isUuid(filter.sourceVmId)) return [];
    where.push(eq(vmSnapshots.sourceVmId, filter.sourceVmId));
  }
  if (filter.status !== undefined) where.push(inArray(vmSnapshots.status, [...filter.status]));
  // As for VMs: asking for deleted ones by status gets them.
  if (!filter.includeDeleted && !filter.status?.includes('deleted'))
    where.push(ne(vmSnapshots.status, 'deleted'));
  const query = db
    .select()
    .from(vmSnapshots)
    .where(and(...where))
    .orderBy(desc(vmSnapshots.createdAt), desc(vmSnapshots.id));
  const rows = filter.limit === undefined ? await query : await query.limit(filter.limit);
  return rows.map(toSnapshotRecord);
}
