import { z } from 'zod';
import { TASK_STATUSES } from '../core/task.js';
import { apiError, errorBody, recordId, timestamp } from './fields.js';
import { executionSchema, jobSchema, taskSchema, vmSchema, workerSchema } from './records.js';

/**
 * The bodies of the API's answers, built from the records. Key order is the order on the wire.
 * Writes answer in three shapes: accepted (202, no `?wait`), done (200, the task completed) and
 * failed (the error's own status: the same fields plus `error`).
 */

export const vmList = z.object({ vms: z.array(vmSchema) }).meta({ id: 'VmList' });
export const executionList = z
  .object({ executions: z.array(executionSchema) })
  .meta({ id: 'ExecutionList', description: 'Newest first' });
export const workerList = z.object({ workers: z.array(workerSchema) }).meta({ id: 'WorkerList' });

const accepted = {
  task_id: recordId,
  status: z.enum(TASK_STATUSES).describe("The task's status when the answer was written"),
};
const done = { ...accepted, task: taskSchema };

export const vmWriteAccepted = z.object({ ...accepted, vm: vmSchema }).meta({ id: 'VmWriteAccepted' });
export const vmWriteDone = z.object({ ...done, vm: vmSchema }).meta({ id: 'VmWriteDone' });
const vmWriteFailed = z.object({ ...done, vm: vmSchema, error: apiError }).meta({ id: 'VmWriteFailed' });
export const vmWriteError = z
  .union([vmWriteFailed, errorBody])
  .meta({ id: 'VmWriteError', description: 'The task failed (with `?wait`), or the request was refused' });

const executeStarted = {
  execution_id: recordId,
  vm_id: recordId.describe('The VM it runs in (its id, also when the path named the VM by name)'),
  timeout_ms: z
    .number()
    .int()
    .describe("The command's time limit in ms: the `timeout_ms` asked for, or the gateway's default"),
};
export const executeAccepted = z.object({ ...accepted, ...executeStarted }).meta({ id: 'ExecuteAccepted' });
export const executeDone = z
  .object({ ...done, ...executeStarted, execution: executionSchema })
  .meta({ id: 'ExecuteDone' });
const executeFailed = z
  .object({ ...done, ...executeStarted, execution: executionSchema, error: apiError })
  .meta({ id: 'ExecuteFailed' });
export const executeError = z
  .union([executeFailed, errorBody])
  .meta({ id: 'ExecuteError', description: 'The command failed (with `?wait`), or the request was refused' });

export const jobWriteAccepted = z.object({ ...accepted, job: jobSchema }).meta({ id: 'JobWriteAccepted' });
export const jobWriteDone = z.object({ ...done, job: jobSchema }).meta({ id: 'JobWriteDone' });
const jobWriteFailed = z.object({ ...done, job: jobSchema, error: apiError }).meta({ id: 'JobWriteFailed' });
export const jobWriteError = z
  .union([jobWriteFailed, errorBody])
  .meta({ id: 'JobWriteError', description: 'The job failed (with `?wait`), or the request was refused' });

/** One line of `POST /vms/{id}/execute?stream=true` (`application/x-ndjson`). */
export const executionStreamLine = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('task'), task_id: recordId, execution_id: recordId }),
    z.object({ type: z.enum(['stdout', 'stderr']), data: z.string() }),
    z.object({
      type: z.literal('exit'),
      exit_code: z.number().int().nullable(),
      timed_out: z.boolean(),
      execution: executionSchema,
    }),
    z.object({ type: z.literal('error'), error: apiError }),
  ])
  .meta({
    id: 'ExecutionStreamLine',
    description: 'First `task`, then `stdout`/`stderr` chunks as they happen, last `exit` or `error`',
  });

export const componentHealth = z
  .object({
    ok: z.boolean(),
    message: z.string(),
    latency_ms: z.number().optional(),
  })
  .meta({ id: 'ComponentHealth' });

export const HEALTH_COMPONENT_STATUSES = ['healthy', 'unhealthy'] as const;

export const healthCheckSchema = z
  .object({
    status: z.enum(HEALTH_COMPONENT_STATUSES),
    detail: z.string().describe('What the check saw: a backend kind, a count, or why it failed'),
    latency_ms: z.number().optional().describe('How long the check took, where it called out'),
  })
  .meta({ id: 'HealthCheck' });

export const healthBody = z
  .object({
    status: z
      .enum(['ok', 'degraded'])
      .describe(
        '`ok` when every component is healthy, else `degraded`. The answer is 200 either way: the gateway serves, which is what liveness asks; `/ready` is the probe that answers 503',
      ),
    version: z.string(),
    timestamp: timestamp.describe('When the components were checked (checks are shared for a second)'),
    components: z
      .record(z.string(), z.enum(HEALTH_COMPONENT_STATUSES))
      .describe(
        'Each component, as the original system named and reported them: `store`, `queue`, `event_bus`, `workers` (an active worker that takes vm:create), `loki` when logs go to Loki, and each enabled integration (`github`, `slack`)',
      ),
    checks: z
      .record(z.string(), healthCheckSchema)
      .describe('The same components, each with its detail; a check that takes over 500 ms is unhealthy'),
    integrations: z
      .record(z.string(), componentHealth)
      .optional()
      .describe(
        'Each enabled integration (`github`, `slack`) as it last saw itself (configuration, its last calls out); absent when none is enabled',
      ),
  })
  .meta({
    id: 'Health',
    description: 'Liveness: the gateway serves HTTP (always 200), with what each component it reports saw',
  });

export const readinessBody = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    components: z
      .record(z.string(), componentHealth)
      .describe('`store`, `queue`, `events` and `workers` (an active worker that takes vm:create)'),
  })
  .meta({ id: 'Readiness', description: 'Each component this gateway needs; 503 when any is not ok' });

/** Prometheus metrics as text; sent as they are rendered, never through a serializer. */
export const metricsText = z
  .string()
  .meta({ id: 'MetricsText', description: 'Prometheus text exposition format 0.0.4' });

/** The OpenAPI document itself: described, not restated. */
export const openApiDocument = z
  .record(z.string(), z.unknown())
  .meta({ id: 'OpenApiDocument', description: 'This document (OpenAPI 3)' });
