/**
 * `GET /api/v1/executions/{id}/stream` over a WebSocket: an execution's output as it happens, then
 * its exit. `openExecutionStream` is one connection; `followExecution` reconnects with
 * `after_seq` when a connection drops, so its caller sees every chunk once, in order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type WebSocket from 'ws';
import type { ExecutionStreamMessage } from '../api-types.js';
import { type StreamTarget, websocketMessages } from './websocket-messages.js';

/**
 * One message of the stream, as the wire contract (src/api/stream.ts) defines it: a `chunk`
 * (`data` is base64 of the exact bytes, see `chunkBytes`), then one `exit` or `error`. An error's
 * `scope: 'execution'` is what became of the command (final); `scope: 'stream'` is the stream
 * failing (gateway closing, store unreachable), which `followExecution` reconnects after.
 */
export type { ExecutionStreamMessage };
export type ExecutionStreamChunk = Extract<ExecutionStreamMessage, { type: 'chunk' }>;
export type ExecutionStreamExit = Extract<ExecutionStreamMessage, { type: 'exit' }>;
export type ExecutionStreamError = Extract<ExecutionStreamMessage, { type: 'error' }>;

/** The bytes of a chunk. */
export function chunkBytes(chunk: ExecutionStreamChunk): Buffer {
  return Buffer.from(chunk.data, 'base64');
}

export type { StreamTarget };

export interface ExecutionStreamOptions {
  /** Only chunks with a higher seq (resume). Default 0: from the start. */
  afterSeq?: number;
  /** Stops the stream; the iterator then throws the signal's reason. */
  signal?: AbortSignal;
}

export interface FollowExecutionOptions extends ExecutionStreamOptions {
  /** Stop reconnecting after this long without a chunk or a connection, ms. Default 30 000. */
  reconnectForMs?: number;
  /** Told before each reconnection, with the seq it resumes after. */
  onReconnect?(attempt: number, afterSeq: number, cause: Error): void;
}

const END_TYPES = new Set(['exit', 'error']);

function parseMessage(data: WebSocket.RawData): ExecutionStreamMessage | null {
  try {
    const message = JSON.parse(String(data)) as { type?: unknown };
    const known =
      message.type === 'chunk' || (typeof message.type === 'string' && END_TYPES.has(message.type));
    return known ? (message as ExecutionStreamMessage) : null;
  } catch {
    return null;
  }
}

/**
 * One WebSocket connection: yields the messages in order and returns after the `exit` or
 * `error`. Throws the gateway's error (a 404 for an unknown id, ...) and, when the connection
 * ends before the stream does, ERR_STREAM_CLOSED (status 0).
 */
export async function* openExecutionStream(
  target: StreamTarget,
  options: ExecutionStreamOptions = {},
): AsyncGenerator<ExecutionStreamMessage> {
  const url = new URL(target.url);
  if (options.afterSeq) url.searchParams.set('after_seq', String(options.afterSeq));
  for await (const message of websocketMessages(target, {
    url,
    parse: parseMessage,
    what: 'execution stream',
    signal: options.signal,
    onAbort: 'throw',
  })) {
    yield message;
    if (message.type !== 'chunk') return;
  }
}

/** Whether a failed connection is worth another: dropped, unreachable, or the gateway busy. */
function isTransient(error: unknown): boolean {
  const { status, code } = error as { status?: unknown; code?: unknown };
  if (code === 'ERR_STREAM_PROTOCOL') return false;
  return status === 0 || status === 502 || status === 503 || status === 504;
}

/** A connection that lasted this long worked: the next failure starts a fresh reconnect budget. */
const HEALTHY_CONNECTION_MS = 1000;

/**
 * Like `openExecutionStream`, but a dropped connection, an unreachable or closing gateway, or a
 * retryable stream error is answered by connecting again after the last chunk seen (backing off
 * up to 2 s), for up to `reconnectForMs` of failing in a row. Chunks are yielded once each, in
 * order.
 */
export async function* followExecution(
  target: StreamTarget,
  options: FollowExecutionOptions = {},
): AsyncGenerator<ExecutionStreamMessage> {
  const reconnectForMs = options.reconnectForMs ?? 30_000;
  let afterSeq = options.afterSeq ?? 0;
  let failingSince: number | null = null;
  let attempt = 0;
  for (;;) {
    const connectedAt = Date.now();
    let progressed = false;
    let cause: Error;
    try {
      const connection = openExecutionStream(target, {
        afterSeq,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      for await (const message of connection) {
        progressed = true;
        if (message.type === 'chunk') {
          if (message.seq <= afterSeq) continue;
          afterSeq = message.seq;
          yield message;
          continue;
        }
        if (message.type === 'error' && message.scope === 'stream' && message.retryable) {
          throw target.error(0, message.code, message.message);
        }
        yield message;
        return;
      }
      cause = target.error(0, 'ERR_STREAM_CLOSED', 'the stream ended without an exit');
    } catch (error) {
      if (options.signal?.aborted || !isTransient(error)) throw error;
      cause = error as Error;
    }
    const now = Date.now();
    if (progressed || now - connectedAt >= HEALTHY_CONNECTION_MS) {
      failingSince = now;
      attempt = 0;
    }
    failingSince ??= now;
    if (now - failingSince > reconnectForMs) throw cause;
    attempt++;
    await sleep(
      Math.min(100 * 2 ** (attempt - 1), 2000),
      undefined,
      options.signal ? { signal: options.signal } : {},
    );
    options.onReconnect?.(attempt, afterSeq, cause);
  }
}
