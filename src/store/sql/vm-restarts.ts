import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { isUuid } from '../../core/ids.js';
import type { VmRecord } from '../../core/vm.js';
import { toVmRecord } from '../records.js';
import { vms } from '../schema.js';
import type { Db } from './db.js';

/**
 * One guarded UPDATE, so two looks at the same death (a health round and a worker's start-up
 * reconcile) restart the VM once: the VM must still be the one seen (running since
 * `seen.startedAt`, `seen.restarts` restarts made) and have a restart left. The new start time
 * is cut to the millisecond: a JavaScript Date holds no more, and the next claim compares it.
 */
export async function claimVmRestart(
  db: Db,
  id: string,
  seen: { startedAt: Date | null; restarts: number },
  reason: string,
): Promise<VmRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .update(vms)
    .set({
      restarts: sql`${vms.restarts} + 1`,
      statusReason: reason,
      startedAt: sql`date_trunc('milliseconds', now())`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(vms.id, id),
        eq(vms.status, 'running'),
        seen.startedAt === null ? isNull(vms.startedAt) : eq(vms.startedAt, seen.startedAt),
        eq(vms.restarts, seen.restarts),
        eq(vms.restartPolicy, 'on-failure'),
        lt(vms.restarts, vms.restartMax),
      ),
    )
    .returning();
  return row ? toVmRecord(row) : null;
}
