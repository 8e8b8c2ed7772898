import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import {
  HEARTBEATING_STATUSES,
  type WorkerRecord,
  type WorkerRegistration,
  type WorkerStatus,
} from '../../core/worker.js';
import { toWorkerRecord } from '../records.js';
import { workers } from '../schema.js';
import type { Db } from './db.js';

/** Insert, or take over the row of an earlier process with this id under the next epoch. */
export async function registerWorker(db: Db, registration: WorkerRegistration): Promise<WorkerRecord> {
  const fresh = {
    host: registration.host,
    drivers: registration.drivers,
    capacity: registration.capacity,
    version: registration.version,
    dataUrl: registration.dataUrl ?? null,
    status: 'active' as const,
    statusReason: 'registered',
    activeTasks: 0,
    startedAt: sql`now()`,
    lastHeartbeatAt: sql`now()`,
    updatedAt: sql`now()`,
  };
  const [row] = await db
    .insert(workers)
    .values({ id: registration.id, ...fresh })
    .onConflictDoUpdate({ target: workers.id, set: { ...fresh, epoch: sql`${workers.epoch} + 1` } })
    .returning();
  return toWorkerRecord(row!);
}

export async function heartbeatWorker(
  db: Db,
  id: string,
  epoch: number,
  beat: { activeTasks: number; status: 'active' | 'draining' },
): Promise<WorkerRecord | null> {
  const [row] = await db
    .update(workers)
    .set({
      activeTasks: beat.activeTasks,
      status: beat.status,
      lastHeartbeatAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(
      and(eq(workers.id, id), eq(workers.epoch, epoch), inArray(workers.status, [...HEARTBEATING_STATUSES])),
    )
    .returning();
  return row ? toWorkerRecord(row) : null;
}

export async function setWorkerStatus(
  db: Db,
  id: string,
  epoch: number,
  status: WorkerStatus,
  reason: string,
): Promise<WorkerRecord | null> {
  const [row] = await db
    .update(workers)
    .set({ status, statusReason: reason, updatedAt: sql`now()` })
    .where(and(eq(workers.id, id), eq(workers.epoch, epoch)))
    .returning();
  return row ? toWorkerRecord(row) : null;
}

export async function getWorker(db: Db, id: string): Promise<WorkerRecord | null> {
  const [row] = await db.select().from(workers).where(eq(workers.id, id));
  return row ? toWorkerRecord(row) : null;
}

export async function listWorkers(db: Db): Promise<WorkerRecord[]> {
  const rows = await db.select().from(workers).orderBy(asc(workers.id));
  return rows.map(toWorkerRecord);
}

/**
 * One conditional UPDATE at the database's clock, so concurrent reapers (every gateway and
 * worker runs one) never declare the same worker dead twice and worker clocks do not matter.
 */
export async function reapSilentWorkers(db: Db, graceMs: number): Promise<WorkerRecord[]> {
  const graceSeconds = Math.max(0, graceMs) / 1000;
  const rows = await db
    .update(workers)
    .set({
      status: 'dead',
      statusReason: `no heartbeat for ${graceMs} ms`,
      activeTasks: 0,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        inArray(workers.status, [...HEARTBEATING_STATUSES]),
        lt(workers.lastHeartbeatAt, sql`now() - make_interval(secs => ${graceSeconds})`),
      ),
    )
    .returning();
  return rows.map(toWorkerRecord);
}
