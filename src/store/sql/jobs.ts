import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { JobRecord, JobStatus, JobStepResult } from '../../core/execution.js';
import { isUuid } from '../../core/ids.js';
import type { JobFilter } from '../../core/store.js';
import { toJobRecord } from '../records.js';
import { vmJobs } from '../schema.js';
import type { Db } from './db.js';
import { appendStateChange } from './state-changes.js';

export type NewJob = Omit<JobRecord, 'createdAt' | 'updatedAt' | 'results' | 'status'>;

export interface JobPatch {
  status?: JobStatus;
  results?: JobStepResult[];
  taskId?: string;
}

export async function insertJob(db: Db, job: NewJob): Promise<JobRecord> {
  const [row] = await db
    .insert(vmJobs)
    .values({
      id: job.id,
      project: job.project,
      name: job.name,
      vmId: job.vmId,
      taskId: job.taskId,
      steps: job.steps,
    })
    .returning();
  return toJobRecord(row!);
}

export async function getJob(db: Db, id: string): Promise<JobRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(vmJobs).where(eq(vmJobs.id, id));
  return row ? toJobRecord(row) : null;
}

/** Newest first. */
export async function listJobs(db: Db, filter: JobFilter = {}): Promise<JobRecord[]> {
  const where: SQL[] = [];
  if (filter.project !== undefined) where.push(eq(vmJobs.project, filter.project));
  if (filter.vmId !== undefined) {
    if (!isUuid(filter.vmId)) return [];
    where.push(eq(vmJobs.vmId, filter.vmId));
  }
  if (filter.status !== undefined) where.push(inArray(vmJobs.status, [...filter.status]));
  const query = db
    .select()
    .from(vmJobs)
    .where(and(...where))
    .orderBy(desc(vmJobs.createdAt), desc(vmJobs.id));
  const rows = filter.limit === undefined ? await query : await query.limit(filter.limit);
  return rows.map(toJobRecord);
}

/**
 * Not a compare-and-set (the contract has no `from` here), but a status change is still logged:
 * the row is locked to read the status being left, and the log row shares the transaction.
 */
export async function updateJob(db: Db, id: string, patch: JobPatch): Promise<JobRecord | null> {
  if (!isUuid(id)) return null;
  const set: Partial<typeof vmJobs.$inferInsert> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.results !== undefined) set.results = patch.results;
  if (patch.taskId !== undefined) set.taskId = patch.taskId;
  const apply = async (tx: Db, from: JobStatus | null): Promise<JobRecord | null> => {
    const [row] = await tx
      .update(vmJobs)
      .set({ ...set, updatedAt: sql`now()` })
      .where(eq(vmJobs.id, id))
      .returning();
    if (!row) return null;
    if (patch.status !== undefined && from !== patch.status) {
      await appendStateChange(tx, {
        entity: 'job',
        entityId: id,
        from,
        to: patch.status,
        reason: 'job updated',
      });
    }
    return toJobRecord(row);
  };
  if (patch.status === undefined) return apply(db, null);
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ status: vmJobs.status })
      .from(vmJobs)
      .where(eq(vmJobs.id, id))
      .for('update');
    return current ? apply(tx, current.status) : null;
  });
}
