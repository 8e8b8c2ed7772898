import { z } from 'zod';
import { LOG_LEVELS } from '../core/logs.js';
import { apiError, timestamp } from './fields.js';

/** Requests and answers of `POST /logs/query` and `GET /logs/stream`. */

export const LOG_QUERY_MAX_LIMIT = 1000;
export const LOG_QUERY_DEFAULT_LIMIT = 100;

const id = (what: string) =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/, `${what} is letters, digits, dot, dash, colon or underscore`);

const instant = z.iso.datetime({ offset: true });

const filterFields = {
  vm_id: id('vm_id').optional().describe('Lines about this VM (an id, or a name of your project)'),
  task_id: id('task_id').optional().describe('Lines about this task'),
  execution_id: id('execution_id').optional().describe('Lines about this execution (its output included)'),
  level: z.enum(LOG_LEVELS).optional().describe('At least this level; default every level'),
  text: z
    .string()
    .min(1)
    .max(1000)
    .refine((v) => !v.includes('\0'), 'text must not contain NUL bytes')
    .optional()
    .describe('Lines containing this text, case-sensitive (with Loki: anywhere in the JSON line)'),
};

export const logQueryBody = z.strictObject({
  ...filterFields,
  start: instant.optional().describe('From this time, inclusive; default: the beginning (Loki: 7 days back)'),
  end: instant.optional().describe('Before this time, exclusive; default: now'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(LOG_QUERY_MAX_LIMIT)
    .optional()
    .describe(`At most this many lines; default ${LOG_QUERY_DEFAULT_LIMIT}`),
  order: z
    .enum(['desc', 'asc'])
    .optional()
    .describe(
      '`desc` (default): the newest lines, newest first; `asc`: the oldest lines from `start`, oldest first',
    ),
});

export const logStreamQuery = z.object({
  ...filterFields,
  backlog: z.coerce
    .number()
    .int()
    .min(0)
    .max(LOG_QUERY_MAX_LIMIT)
    .optional()
    .describe('Send the last this many matching lines first (default 50), then follow'),
  access_token: z
    .string()
    .max(4096)
    .optional()
    .describe('API key or JWT, for browsers, which cannot set headers on a WebSocket or EventSource'),
});

export const logLineSchema = z
  .object({
    id: z.string().describe('Tells apart lines of the same instant'),
    time: timestamp,
    level: z.enum(LOG_LEVELS),
    service: z.string().describe('The process role that wrote it: `up`, `gateway`, `worker`'),
    project: z
      .string()
      .nullable()
      .describe("The project whose resource it is about; null: the platform's own"),
    worker: z.string().nullable(),
    vm_id: z.string().nullable(),
    task_id: z.string().nullable(),
    execution_id: z.string().nullable(),
    message: z.string(),
    fields: z
      .record(z.string(), z.unknown())
      .describe('Everything else the line carried; command output has `stream`'),
  })
  .meta({ id: 'LogLine', description: 'One log line of the platform, or one line of command output' });

export const logList = z
  .object({ lines: z.array(logLineSchema), order: z.enum(['desc', 'asc']) })
  .meta({ id: 'LogList' });

const lineMessage = z.object({ type: z.literal('line'), line: logLineSchema }).meta({ id: 'LogStreamLine' });
const errorMessage = z.object({ type: z.literal('error'), ...apiError.shape }).meta({
  id: 'LogStreamError',
  description: 'The tail failed (gateway closing, backend unreachable): reconnect',
});

export const logStreamMessage = z.discriminatedUnion('type', [lineMessage, errorMessage]).meta({
  id: 'LogStreamMessage',
  description:
    '`line` messages oldest first (the backlog, then new lines as they are written); an `error` ends the stream. Over WebSocket each is a JSON text frame; over SSE each is an event named by its type',
});
