import { and, desc, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import { isUuid } from '../../core/ids.js';
import type { NewVm, Transition, VmFilter, VmPatch } from '../../core/store.js';
import type { VmRecord, VmStatus } from '../../core/vm.js';
import { toVmRecord } from '../records.js';
import { vms } from '../schema.js';
import type { Db } from './db.js';

/** Only the keys the caller set: `undefined` leaves a column alone, `null` clears it. */
function patchColumns(patch: VmPatch): Partial<typeof vms.$inferInsert> {
  const set: Partial<typeof vms.$inferInsert> = {};
  if (patch.workerId !== undefined) set.workerId = patch.workerId;
  if (patch.isolation !== undefined) set.isolation = patch.isolation;
  if (patch.startedAt !== undefined) set.startedAt = patch.startedAt;
  if (patch.stoppedAt !== undefined) set.stoppedAt = patch.stoppedAt;
  return set;
}

export async function insertVm(db: Db, vm: NewVm): Promise<VmRecord> {
  const [row] = await db
    .insert(vms)
    .values({
      id: vm.id,
      name: vm.name,
      driver: vm.driver,
      vcpus: vm.vcpus,
      memoryMiB: vm.memoryMiB,
      image: vm.image ?? null,
      network: vm.network ?? false,
      metadata: vm.metadata,
    })
    .returning();
  return toVmRecord(row!);
}

/** Any VM by id, deleted ones included (history stays readable). */
export async function getVm(db: Db, id: string): Promise<VmRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(vms).where(eq(vms.id, id));
  return row ? toVmRecord(row) : null;
}

/** A uuid is tried as an id first; anything else (or an unknown id) as the name of a live VM. */
export async function findVm(db: Db, idOrName: string): Promise<VmRecord | null> {
  const byId = await getVm(db, idOrName);
  if (byId) return byId;
  const [row] = await db
    .select()
    .from(vms)
    .where(and(eq(vms.name, idOrName), ne(vms.status, 'deleted')));
  return row ? toVmRecord(row) : null;
}

/**
 * Newest first. Deleted VMs are left out unless `includeDeleted` is set or the status filter
 * names `deleted` explicitly (asking for deleted VMs and getting none would be a trap).
 */
export async function listVms(db: Db, filter: VmFilter = {}): Promise<VmRecord[]> {
  const where: SQL[] = [];
  if (filter.status !== undefined) where.push(inArray(vms.status, [...filter.status]));
  if (filter.workerId !== undefined) where.push(eq(vms.workerId, filter.workerId));
  if (!filter.includeDeleted && !filter.status?.includes('deleted')) where.push(ne(vms.status, 'deleted'));
  const query = db
    .select()
    .from(vms)
    .where(and(...where))
    .orderBy(desc(vms.createdAt), desc(vms.id));
  const rows = filter.limit === undefined ? await query : await query.limit(filter.limit);
  return rows.map(toVmRecord);
}

/**
 * Compare-and-set in one statement: the UPDATE applies only while the status is one of
 * `from`. The state-change log is written by a trigger in the same statement (migration 0001),
 * so row and log never disagree and a transition costs one round trip.
 */
export async function transitionVm(
  db: Db,
  id: string,
  change: Transition<VmStatus>,
  patch: VmPatch = {},
): Promise<VmRecord | null> {
  if (!isUuid(id) || change.from.length === 0) return null;
  const [row] = await db
    .update(vms)
    .set({ ...patchColumns(patch), status: change.to, statusReason: change.reason, updatedAt: sql`now()` })
    .where(and(eq(vms.id, id), inArray(vms.status, [...change.from])))
    .returning();
  return row ? toVmRecord(row) : null;
}

export async function updateVm(db: Db, id: string, patch: VmPatch): Promise<VmRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .update(vms)
    .set({ ...patchColumns(patch), updatedAt: sql`now()` })
    .where(eq(vms.id, id))
    .returning();
  return row ? toVmRecord(row) : null;
}
