import { z } from 'zod';
import { LIVE_EVENT_TYPES } from '../core/live-events.js';
import { TASK_STATUSES, TASK_TYPES } from '../core/task.js';
import { VM_STATUSES } from '../core/vm.js';
import { apiError, commaSeparatedOf, timestamp } from './fields.js';

/**
 * Requests and messages of `GET /events`, the live feed of VM, task and worker changes. The
 * messages travel as WebSocket frames or SSE events, never through a response serializer.
 */

export const eventStreamQuery = z.object({
  types: commaSeparatedOf(
    LIVE_EVENT_TYPES,
    'event type',
    `Comma-separated kinds of event (${LIVE_EVENT_TYPES.join(', ')}); default every kind the caller may see (\`worker\`: admins only)`,
  ),
  access_token: z
    .string()
    .max(4096)
    .optional()
    .describe('API key or JWT, for browsers, which cannot set headers on a WebSocket or EventSource'),
});

const heardAt = timestamp.describe('When the gateway heard of the change');

const readyMessage = z.object({ type: z.literal('ready') }).meta({
  id: 'EventStreamReady',
  description: 'The first message: every change from now on is sent, so lists read after it miss nothing',
});

const vmMessage = z
  .object({
    type: z.literal('vm'),
    vm_id: z.string(),
    status: z.enum(VM_STATUSES),
    reason: z.string().describe('Why it changed (`create started`, `user: stop`, `ttl: 1h`, ...)'),
    at: heardAt,
  })
  .meta({ id: 'EventStreamVm', description: "A VM's status changed" });

const taskMessage = z
  .object({
    type: z.literal('task'),
    task_id: z.string(),
    task_type: z.enum(TASK_TYPES),
    status: z.enum(TASK_STATUSES),
    vm_id: z.string().nullable().describe('The VM the task is about, if any'),
    error_code: apiError.shape.code.nullable().describe('Why it failed, when it did'),
    at: heardAt,
  })
  .meta({ id: 'EventStreamTask', description: "A task's status changed" });

const workerMessage = z
  .object({
    type: z.literal('worker'),
    worker_id: z.string(),
    event: z.enum(['joined', 'left']),
    status: z.enum(['stopped', 'dead']).optional().describe('How it left: stopped, or declared dead'),
    reason: z.string().optional().describe('Why it left'),
    at: heardAt,
  })
  .meta({ id: 'EventStreamWorker', description: 'A worker joined or left the cluster (admins only)' });

const errorMessage = z.object({ type: z.literal('error'), ...apiError.shape }).meta({
  id: 'EventStreamError',
  description:
    'The stream failed and ends: the gateway is closing (`ERR_SHUTTING_DOWN`), the client read too slowly (`ERR_RATE_LIMITED`), or the store is unreachable. Reconnect, then read the lists again',
});

export const eventStreamMessage = z
  .discriminatedUnion('type', [readyMessage, vmMessage, taskMessage, workerMessage, errorMessage])
  .meta({
    id: 'EventStreamMessage',
    description:
      '`ready` first, then one message per change the caller may see, in the order the gateway heard them; an `error` ends the stream. Over WebSocket each is a JSON text frame; over SSE each is an event named by its type',
  });
