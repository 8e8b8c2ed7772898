import { and, asc, eq, inArray, isNotNull, type SQL, sql } from 'drizzle-orm';
import { isUuid } from '../../core/ids.js';
import type { ExpiredVm } from '../../core/store.js';
import type { VmRecord, VmStatus } from '../../core/vm.js';
import {
  ACTIVITY_HORIZON_SECONDS,
  EXPIRY_PAUSE_CLAIM_SECONDS,
  type VmExpiryKind,
} from '../../core/vm-lifetime.js';
import { toVmRecord } from '../records.js';
import { executions, vms } from '../schema.js';
import type { Db } from './db.js';

/**
 * The deadlines as SQL at the database's clock, so every node judges them alike. The listing and
 * the claim use the same conditions: a claim applies only while what was listed still holds.
 */
const pastLifetime = (): SQL => sql`${vms.expiresAt} <= now()`;

/**
 * VMs a deadline can still end. A paused VM runs nothing: its deadlines end it like a running
 * one's, unless pausing is what its expiry does (then it has expired already). A pause claimed
 * lately is on its way to the worker: not claimed again until the claim lapses.
 */
const endable = (): SQL => sql`(
  (${vms.status} = 'running' AND NOT (${vms.onExpiry} = 'pause' AND coalesce(
    ${vms.expiryClaimedAt} > now() - ${EXPIRY_PAUSE_CLAIM_SECONDS} * interval '1 second', false)))
  OR (${vms.status} = 'paused' AND ${vms.onExpiry} <> 'pause'))`;

/** Stopped VMs hold only files: their lifetime ends them only when the expiry deletes. */
const endsByLifetime = (): SQL =>
  sql`(${endable()} OR (${vms.status} = 'stopped' AND ${vms.onExpiry} = 'delete'))`;

/** An execution not yet complete (queued or running) holds the idle clock off. */
const idlePast = (): SQL => sql`${endable()}
  AND ${vms.idleTimeoutSeconds} IS NOT NULL
  AND coalesce(${vms.lastActiveAt}, ${vms.startedAt}, ${vms.createdAt}) + ${vms.idleTimeoutSeconds} * interval '1 second' <= now()
  AND NOT EXISTS (
    SELECT 1 FROM ${executions}
    WHERE ${executions.vmId} = ${vms.id}
      AND ${executions.completedAt} IS NULL
      AND ${executions.createdAt} > now() - ${ACTIVITY_HORIZON_SECONDS} * interval '1 second'
  )`;

const dueBy = (kind: VmExpiryKind): SQL =>
  kind === 'ttl' ? sql`(${endsByLifetime()} AND ${pastLifetime()})` : sql`(${idlePast()})`;

export async function listExpiredVms(db: Db, limit = 100): Promise<ExpiredVm[]> {
  const rows = await db
    .select({ vm: vms, ttl: sql<boolean>`coalesce(${dueBy('ttl')}, false)` })
    .from(vms)
    // Matches the partial index vms_expires_idx.
    .where(
      and(
        sql`(${vms.expiresAt} IS NOT NULL OR ${vms.idleTimeoutSeconds} IS NOT NULL)`,
        inArray(vms.status, ['running', 'paused', 'stopped']),
        sql`(${dueBy('ttl')} OR ${dueBy('idle')})`,
      ),
    )
    .orderBy(asc(vms.expiresAt))
    .limit(limit);
  return rows.map((row) => ({ vm: toVmRecord(row.vm), kind: row.ttl ? 'ttl' : 'idle' }));
}

export async function claimVmExpiry(
  db: Db,
  id: string,
  kind: VmExpiryKind,
  reason: string,
): Promise<VmRecord | null> {
  if (!isUuid(id)) return null;
  const pauses = sql`${vms.onExpiry} = 'pause'`;
  const [row] = await db
    .update(vms)
    .set({
      status: sql`CASE WHEN ${pauses} THEN ${vms.status} ELSE 'stopping' END`,
      statusReason: sql`CASE WHEN ${pauses} THEN ${vms.statusReason} ELSE ${reason} END`,
      expiryClaimedAt: sql`CASE WHEN ${pauses} THEN now() ELSE ${vms.expiryClaimedAt} END`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(vms.id, id), dueBy(kind)))
    .returning();
  return row ? toVmRecord(row) : null;
}

/** Only VMs with an idle timeout have a clock to restart: a VM without one costs no write. */
export async function recordVmActivity(db: Db, id: string): Promise<void> {
  if (!isUuid(id)) return;
  await db
    .update(vms)
    .set({ lastActiveAt: sql`now()` })
    .where(and(eq(vms.id, id), isNotNull(vms.idleTimeoutSeconds)));
}

export async function extendVmLifetime(
  db: Db,
  id: string,
  seconds: number,
  statuses: readonly VmStatus[],
): Promise<VmRecord | null> {
  if (!isUuid(id) || statuses.length === 0) return null;
  const [row] = await db
    .update(vms)
    .set({
      expiresAt: sql`greatest(${vms.expiresAt}, now()) + ${seconds} * interval '1 second'`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(vms.id, id), isNotNull(vms.expiresAt), inArray(vms.status, [...statuses])))
    .returning();
  return row ? toVmRecord(row) : null;
}
