import type { z } from 'zod';
import type { ApiSchema } from '../../api/schemas.js';
import { AetherError, type WireError } from '../../core/errors.js';
import type { ExecutionRecord } from '../../core/execution.js';
import type { OutputEvent } from '../../core/output.js';
import type { Access } from '../../core/principal.js';
import type { ExecutionOutputService } from '../../service/output/execution-output-service.js';
import { executionJson } from '../serialize.js';
import type { StreamSpec } from './run-stream.js';
import { errorClose, NORMAL_CLOSE, type StreamClose } from './transport.js';

/** One message of `GET /executions/{id}/stream` (src/api/stream.ts), a WebSocket frame or an SSE event. */
export type StreamMessage = z.output<ApiSchema<'ExecutionStreamMessage'>>;
export type ErrorMessage = Extract<StreamMessage, { type: 'error' }>;

/** How long a browser's EventSource waits before it reconnects after a drop. */
export const SSE_RETRY_MS = 2_000;

/** The message of an output event; chunk bytes become base64 here, once, as the wire says. */
export function streamMessageOf(event: OutputEvent): StreamMessage {
  switch (event.type) {
    case 'chunk':
      return {
        type: 'chunk',
        stream: event.stream,
        seq: event.seq,
        offset: event.offset,
        data: Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength).toString('base64'),
      };
    case 'end':
      return endMessage(event.execution);
    case 'failed':
      return errorMessage(event.error, 'execution');
  }
}

/** How a complete execution's stream ends: `exit`, or `error` when it has an error. */
function endMessage(execution: ExecutionRecord): StreamMessage {
  if (execution.error) return errorMessage(execution.error, 'execution');
  return {
    type: 'exit',
    exit_code: execution.exitCode,
    timed_out: execution.timedOut,
    execution: executionJson(execution),
  };
}

export function errorMessage(error: WireError, scope: ErrorMessage['scope']): ErrorMessage {
  return { type: 'error', scope, ...error };
}

/**
 * Close codes: 1000 after `exit` or an error of scope `execution` (the stream is complete);
 * 4000 + the HTTP status of the code after an error of scope `stream` (4503: reconnect).
 */
export function closeAfter(last: StreamMessage | null): StreamClose {
  if (!last || last.type === 'chunk' || last.type === 'exit') return NORMAL_CLOSE;
  if (last.scope === 'execution') return { code: 1000, reason: last.code };
  return errorClose(last.code);
}

/**
 * An execution's output from `afterSeq`, then its exit or error, as WebSocket or SSE messages.
 * A failure of the stream itself (store unreachable, gateway closing) is an error of scope
 * `stream`, which a client answers by reconnecting with `after_seq`.
 */
export function executionStream(
  output: ExecutionOutputService,
  access: Access,
  execution: ExecutionRecord,
  afterSeq: number,
): StreamSpec<StreamMessage> {
  return {
    name: 'execution stream',
    context: { executionId: execution.id },
    async *messages(signal) {
      for await (const event of output.follow(access, execution, { afterSeq, signal })) {
        yield streamMessageOf(event);
      }
    },
    isFinal: (message) => message.type !== 'chunk',
    failure: (error) => errorMessage(error, 'stream'),
    shutdown: () =>
      new AetherError(
        'ERR_SHUTTING_DOWN',
        'the gateway is shutting down; the execution goes on: reconnect with after_seq to follow it',
      ).toWire(),
    closeAfter,
  };
}
