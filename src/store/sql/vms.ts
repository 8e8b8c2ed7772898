import { and, desc, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import type { PgInsertValue, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { AetherError } from '../../core/errors.js';
import { isUuid } from '../../core/ids.js';
import type { Quota, QuotaUsage } from '../../core/principal.js';
import type { NewVm, Transition, VmCount, VmFilter, VmPatch } from '../../core/store.js';
import { VM_NAME_PATTERN, type VmRecord, type VmStatus } from '../../core/vm.js';
import { toVmRecord } from '../records.js';
import { vms } from '../schema.js';
import type { Db } from './db.js';
import { preparedFor } from './prepared.js';

/** Only the keys the caller set: `undefined` leaves a column alone, `null` clears it. */
function patchColumns(patch: VmPatch): PgUpdateSetSource<typeof vms> {
  const set: PgUpdateSetSource<typeof vms> = {};
  if (patch.workerId !== undefined) set.workerId = patch.workerId;
  if (patch.isolation !== undefined) set.isolation = patch.isolation;
  if (patch.tools !== undefined) set.tools = patch.tools;
  if (patch.startedAt !== undefined) set.startedAt = patch.startedAt;
  if (patch.stoppedAt !== undefined) set.stoppedAt = patch.stoppedAt;
  if (patch.lastActiveAt !== undefined) set.lastActiveAt = patch.lastActiveAt;
  if (patch.hibernatedAt !== undefined) set.hibernatedAt = patch.hibernatedAt;
  if (patch.expiryClaimedAt !== undefined) set.expiryClaimedAt = patch.expiryClaimedAt;
  if (patch.renewExpiredLifetime) {
    set.expiresAt = sql`CASE WHEN ${vms.expiresAt} <= now() THEN now() + ${vms.ttlSeconds} * interval '1 second' ELSE ${vms.expiresAt} END`;
  }
  return set;
}

/** Statuses that count against a quota: everything that may hold resources or soon will. */
const QUOTA_STATUSES: readonly VmStatus[] = ['pending', 'creating', 'running', 'stopping', 'stopped'];

export async function insertVm(db: Db, vm: NewVm, options: { quota?: Quota } = {}): Promise<VmRecord> {
  const { quota } = options;
  if (!quota) return insertVmRow(db, vm);
  return db.transaction(async (tx) => {
    // One project's creates queue on this lock, so two of them cannot both see room for one.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`aether-quota:${vm.project}`}))`);
    const usage = await projectUsage(tx, vm.project);
    const over = quotaOverrun(usage, quota, vm);
    if (over) throw new AetherError('ERR_QUOTA_EXCEEDED', over, { details: { usage, quota } });
    return insertVmRow(tx, vm);
  });
}

/** Live usage of a project (see QUOTA_STATUSES). */
export async function projectUsage(db: Db, project: string): Promise<QuotaUsage> {
  const [row] = await db
    .select({
      vms: sql<number>`count(*)::int`,
      vcpus: sql<number>`coalesce(sum(${vms.vcpus}), 0)::int`,
      memoryMiB: sql<number>`coalesce(sum(${vms.memoryMiB}), 0)::int`,
    })
    .from(vms)
    .where(and(eq(vms.project, project), inArray(vms.status, [...QUOTA_STATUSES])));
  return { vms: row?.vms ?? 0, vcpus: row?.vcpus ?? 0, memoryMiB: row?.memoryMiB ?? 0 };
}

function quotaOverrun(usage: QuotaUsage, quota: Quota, vm: NewVm): string | null {
  const project = `project "${vm.project}"`;
  if (usage.vms + 1 > quota.vms) {
    return `${project} has ${usage.vms} of ${quota.vms} VMs; delete one or ask for a higher quota`;
  }
  if (usage.vcpus + vm.vcpus > quota.vcpus) {
    return `${project} uses ${usage.vcpus} of ${quota.vcpus} vCPUs and this VM asks for ${vm.vcpus}; use fewer or delete a VM`;
  }
  if (usage.memoryMiB + vm.memoryMiB > quota.memoryMiB) {
    return `${project} uses ${usage.memoryMiB} of ${quota.memoryMiB} MiB and this VM asks for ${vm.memoryMiB}; use less or delete a VM`;
  }
  return null;
}

async function insertVmRow(db: Db, vm: NewVm): Promise<VmRecord> {
  const [row] = await db
    .insert(vms)
    .values({
      id: vm.id,
      project: vm.project,
      name: vm.name,
      driver: vm.driver,
      vcpus: vm.vcpus,
      memoryMiB: vm.memoryMiB,
      image: vm.image ?? null,
      network: vm.network ?? false,
      metadata: vm.metadata,
      labels: vm.labels ?? {},
      tools: vm.tools ?? null,
      ...lifetimeColumns(vm),
      ...(vm.restart ? { restartPolicy: vm.restart.policy, restartMax: vm.restart.max } : {}),
    })
    .returning();
  return toVmRecord(row!);
}

/** A new VM's lifetime; its deadline at the database's clock, as the expiry loop reads it. */
function lifetimeColumns(vm: NewVm): Partial<PgInsertValue<typeof vms>> {
  if (!vm.lifetime) return {};
  const { ttlSeconds, idleTimeoutSeconds, onExpiry } = vm.lifetime;
  return {
    ttlSeconds,
    expiresAt: ttlSeconds === null ? null : sql`now() + ${ttlSeconds} * interval '1 second'`,
    idleTimeoutSeconds,
    onExpiry,
  };
}

/** Any VM by id, deleted ones included (history stays readable). */
const prepareGetVm = (db: Db) =>
  db
    .select()
    .from(vms)
    .where(eq(vms.id, sql.placeholder('id')))
    .prepare('aether_get_vm');

export async function getVm(db: Db, id: string): Promise<VmRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await preparedFor(db, 'getVm', prepareGetVm).execute({ id });
  return row ? toVmRecord(row) : null;
}

/**
 * A uuid is tried as an id first; anything else (or an unknown id) as the name of a live VM,
 * within `project` when given.
 */
export async function findVm(db: Db, idOrName: string, project?: string): Promise<VmRecord | null> {
  const byId = await getVm(db, idOrName);
  if (byId) return byId;
  // No VM can have another name, and text such as NUL would not even reach PostgreSQL intact.
  if (!VM_NAME_PATTERN.test(idOrName)) return null;
  const where = [eq(vms.name, idOrName), ne(vms.status, 'deleted')];
  if (project !== undefined) where.push(eq(vms.project, project));
  const rows = await db
    .select()
    .from(vms)
    .where(and(...where))
    .limit(2);
  if (rows.length > 1) {
    throw new AetherError(
      'ERR_VM_NAME_AMBIGUOUS',
      `VMs named "${idOrName}" exist in several projects; use the VM's id`,
    );
  }
  return rows[0] ? toVmRecord(rows[0]) : null;
}

/**
 * Newest first. Deleted VMs are left out unless `includeDeleted` is set or the status filter
 * names `deleted` explicitly (asking for deleted VMs and getting none would be a trap).
 */
export async function listVms(db: Db, filter: VmFilter = {}): Promise<VmRecord[]> {
  const where: SQL[] = [];
  if (filter.project !== undefined) where.push(eq(vms.project, filter.project));
  if (filter.status !== undefined) where.push(inArray(vms.status, [...filter.status]));
  if (filter.workerId !== undefined) where.push(eq(vms.workerId, filter.workerId));
  // VmService.create records the snapshot a VM came from in its metadata.
  if (filter.fromSnapshot !== undefined)
    where.push(sql`${vms.metadata}->>'fromSnapshot' = ${filter.fromSnapshot}`);
  // Containment: every label asked for, with its value (the same on PGlite and PostgreSQL).
  if (filter.labels !== undefined && Object.keys(filter.labels).length > 0)
    where.push(sql`${vms.labels} @> ${JSON.stringify(filter.labels)}::jsonb`);
  if (!filter.includeDeleted && !filter.status?.includes('deleted')) where.push(ne(vms.status, 'deleted'));
  const query = db
    .select()
    .from(vms)
    .where(and(...where))
    .orderBy(desc(vms.createdAt), desc(vms.id));
  const rows = filter.limit === undefined ? await query : await query.limit(filter.limit);
  return rows.map(toVmRecord);
}

/** One grouped scan (the status index), of every project or of one; deleted VMs are left out. */
export async function countVms(db: Db, filter: { project?: string } = {}): Promise<VmCount[]> {
  const rows = await db
    .select({ status: vms.status, driver: vms.driver, count: sql<number>`count(*)::int` })
    .from(vms)
    .where(
      and(
        ne(vms.status, 'deleted'),
        filter.project === undefined ? undefined : eq(vms.project, filter.project),
      ),
    )
    .groupBy(vms.status, vms.driver);
  // count(*) is a bigint, which some drivers hand back as a string even with the cast.
  return rows.map((row) => ({ status: row.status, driver: row.driver, count: Number(row.count) }));
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
