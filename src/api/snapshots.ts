import { z } from 'zod';
import { SNAPSHOT_STATUSES } from '../core/snapshot.js';
import { TASK_STATUSES } from '../core/task.js';
import { apiError, commaSeparatedOf, driverName, errorBody, recordId, timestamp } from './fields.js';
import { taskSchema } from './records.js';
import { booleanFlag } from './requests.js';

/** Snapshots on the wire: the record, lists, and the answers of the writes on them. */

export const snapshotSchema = z
  .object({
    id: recordId,
    project: z.string().describe('The project that owns it: the project of its source VM'),
    source_vm_id: recordId,
    driver: driverName,
    worker_id: z.string().nullable().describe('The worker holding its files; VMs from it are created there'),
    image: z.string().nullable(),
    vcpus: z.number().int(),
    memory_mib: z.number().int(),
    state_path: z.string().nullable().describe("Where the files are on the worker's host, once saved"),
    size_bytes: z.number().int().nullable(),
    status: z
      .enum(SNAPSHOT_STATUSES)
      .describe(
        '`pending` while saving; VMs start only from a `ready` one; `deleting`, then `deleted`, once deleted',
      ),
    status_reason: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Snapshot', description: "A VM's memory, devices and disk saved at one instant" });

const accepted = {
  task_id: recordId,
  status: z.enum(TASK_STATUSES).describe("The task's status when the answer was written"),
};
const done = { ...accepted, task: taskSchema };

export const snapshotWriteAccepted = z
  .object({ ...accepted, snapshot: snapshotSchema })
  .meta({ id: 'SnapshotWriteAccepted' });
export const snapshotWriteDone = z
  .object({ ...done, snapshot: snapshotSchema })
  .meta({ id: 'SnapshotWriteDone' });
const snapshotWriteFailed = z
  .object({ ...done, snapshot: snapshotSchema, error: apiError })
  .meta({ id: 'SnapshotWriteFailed' });
export const snapshotWriteError = z.union([snapshotWriteFailed, errorBody]).meta({
  id: 'SnapshotWriteError',
  description: 'The save failed (with `?wait`), or the request was refused',
});

export const snapshotList = z.object({ snapshots: z.array(snapshotSchema) }).meta({ id: 'SnapshotList' });

export const listSnapshotsQuery = z.object({
  vm: z.string().min(1).max(256).optional().describe('Only snapshots of this VM (id or name)'),
  status: commaSeparatedOf(
    SNAPSHOT_STATUSES,
    'status',
    `Comma-separated statuses (${SNAPSHOT_STATUSES.join(', ')})`,
  ),
  include_deleted: booleanFlag,
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
