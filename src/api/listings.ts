import { z } from 'zod';
import { JOB_STATUSES } from '../core/execution.js';
import { TASK_STATUSES, TASK_TYPES } from '../core/task.js';
import { choicesIn, timestamp } from './fields.js';
import { EXECUTION_OUTCOMES, jobSchema, taskSchema } from './records.js';

/** Lists across a caller's records (tasks, executions, jobs) and a VM's lifecycle timeline. */

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 500;

const listLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(LIST_LIMIT_MAX)
  .default(LIST_LIMIT_DEFAULT)
  .describe(`At most this many, newest first; default ${LIST_LIMIT_DEFAULT}, at most ${LIST_LIMIT_MAX}`);

const vmFilter = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._-]+$/, 'ids and names are letters, digits, dot, dash or underscore')
  .optional()
  .describe("Only those of this VM (id or name; a deleted VM's id works too)");

/**
 * `?status=a,b` or `?status=a&status=b` (as `label` repeats on `GET /vms`), each value one of
 * `values`; an unknown one is refused naming the choices. A request schema, so it may transform.
 */
function oneOrMoreOf<const T extends readonly string[]>(values: T, what: string) {
  return z
    .union([z.string().max(1000), z.array(z.string().max(1000)).max(50)])
    .optional()
    .describe(`Comma-separated or repeated, each one of: ${values.join(', ')}`)
    .transform((raw, ctx) => (raw === undefined ? undefined : choicesIn([raw].flat(), values, what, ctx)));
}

export const listTasksQuery = z.object({
  status: oneOrMoreOf(TASK_STATUSES, 'status'),
  type: oneOrMoreOf(TASK_TYPES, 'type'),
  vm: vmFilter,
  limit: listLimit,
});

export const listAllExecutionsQuery = z.object({
  status: oneOrMoreOf(EXECUTION_OUTCOMES, 'outcome'),
  vm: vmFilter,
  limit: listLimit,
});

export const listJobsQuery = z.object({
  status: oneOrMoreOf(JOB_STATUSES, 'status'),
  vm: vmFilter,
  limit: listLimit,
});

export const taskList = z
  .object({ tasks: z.array(taskSchema) })
  .meta({ id: 'TaskList', description: 'Newest first' });

export const jobList = z
  .object({ jobs: z.array(jobSchema) })
  .meta({ id: 'JobList', description: 'Newest first' });

export const vmEventSchema = z
  .object({
    from_status: z.string().nullable().describe('null for the first recorded status'),
    to_status: z.string(),
    reason: z.string().describe('Why, starting with a code where there is one (`user: stop requested`…)'),
    at: timestamp,
  })
  .meta({ id: 'VmEvent', description: "One change of a VM's status" });

export const vmEventList = z
  .object({ events: z.array(vmEventSchema) })
  .meta({ id: 'VmEventList', description: 'Oldest first' });
