import { z } from 'zod';
import { OUTPUT_STREAMS } from '../core/output.js';
import { apiError } from './fields.js';
import { executionSchema } from './records.js';

/**
 * Requests and messages of `GET /executions/{id}/stream`; they validate and feed the document.
 * The messages travel as WebSocket frames or SSE events, never through a response serializer.
 */

const MAX_SEQ = 2 ** 31 - 1;

export const streamParams = z.object({ id: z.string().min(1).max(128).describe('Execution id') });

export const streamQuery = z.object({
  after_seq: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_SEQ)
    .optional()
    .describe('Send only chunks with a higher `seq` (resume); default 0, from the start'),
  access_token: z
    .string()
    .max(4096)
    .optional()
    .describe('API key or JWT, for browsers, which cannot set headers on a WebSocket or EventSource'),
});

/** SSE resume: the id of the last event a reconnecting EventSource saw is a chunk's seq. */
export const lastEventIdHeader = z
  .string()
  .regex(/^\d{1,10}$/, 'Last-Event-ID is the seq of a chunk')
  .transform(Number)
  .refine((seq) => seq <= MAX_SEQ, 'Last-Event-ID is out of range');

const chunkMessage = z
  .object({
    type: z.literal('chunk'),
    stream: z.enum(OUTPUT_STREAMS),
    seq: z
      .number()
      .int()
      .min(1)
      .describe("Order among all the execution's chunks, both streams, from 1 with no gaps; resume after it"),
    offset: z.number().int().min(0).describe('Where the chunk starts within its stream, in bytes'),
    data: z
      .string()
      .describe('The bytes exactly as the command wrote them, base64-encoded (output may be binary)'),
  })
  .meta({ id: 'ExecutionStreamChunk' });

const exitMessage = z
  .object({
    type: z.literal('exit'),
    exit_code: z.number().int().nullable().describe('Null when the command was killed (timeout, signal)'),
    timed_out: z.boolean(),
    execution: executionSchema,
  })
  .meta({ id: 'ExecutionStreamExit' });

const errorMessage = z
  .object({
    type: z.literal('error'),
    scope: z
      .enum(['execution', 'stream'])
      .describe(
        '`execution`: what became of the command (final); `stream`: this stream failed (gateway closing, store unreachable): reconnect with `after_seq`',
      ),
    ...apiError.shape,
  })
  .meta({ id: 'ExecutionStreamError' });

export const streamMessage = z.discriminatedUnion('type', [chunkMessage, exitMessage, errorMessage]).meta({
  id: 'ExecutionStreamMessage',
  description:
    '`chunk` messages in `seq` order, then one `exit` or `error`, then the stream closes. Over WebSocket each is a JSON text frame; over SSE each is an event named by its type whose data is the JSON (chunks carry `id: seq`)',
});
