/**
 * `GET /api/v1/executions/{id}/stream` over a WebSocket: an execution's output as it happens, then
 * its exit. `openExecutionStream` is one connection; `followExecution` reconnects with
 * `after_seq` when a connection drops, so its caller sees every chunk once, in order.
 */
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import type { z } from 'zod';
import type { ApiSchema } from '../api/schemas.js';

/**
 * One message of the stream, as the wire contract (src/api/stream.ts) defines it: a `chunk`
 * (`data` is base64 of the exact bytes, see `chunkBytes`), then one `exit` or `error`. An error's
 * `scope: 'execution'` is what became of the command (final); `scope: 'stream'` is the stream
 * failing (gateway closing, store unreachable), which `followExecution` reconnects after.
 */
export type ExecutionStreamMessage = z.output<ApiSchema<'ExecutionStreamMessage'>>;
export type ExecutionStreamChunk = Extract<ExecutionStreamMessage, { type: 'chunk' }>;
export type ExecutionStreamExit = Extract<ExecutionStreamMessage, { type: 'exit' }>;
export type ExecutionStreamError = Extract<ExecutionStreamMessage, { type: 'error' }>;

/** The bytes of a chunk. */
export function chunkBytes(chunk: ExecutionStreamChunk): Buffer {
  return Buffer.from(chunk.data, 'base64');
}

/** Where a stream connects, and how the client makes its errors (its own error class). */
export interface StreamTarget {
  /** `http(s)://…/api/v1/executions/{id}/stream`; the scheme becomes ws(s). */
  url: string;
  headers: Record<string, string>;
  error(status: number, code: string, message: string, body?: unknown): Error;
}

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

async function responseError(target: StreamTarget, res: IncomingMessage): Promise<Error> {
  const parts: Buffer[] = [];
  for await (const part of res) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  const status = res.statusCode ?? 0;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code) return target.error(status, body.error.code, body.error.message ?? '', body);
  } catch {
    // Not our JSON: a generic error below.
  }
  return target.error(status, 'ERR_HTTP', `HTTP ${status}: ${text.slice(0, 200)}`);
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
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (options.afterSeq) url.searchParams.set('after_seq', String(options.afterSeq));
  const socket = new WebSocket(url, { headers: target.headers });
  const queue: ExecutionStreamMessage[] = [];
  let failure: Error | null = null;
  let closed: { code: number; reason: string } | null = null;
  let notify: (() => void) | null = null;
  const wake = () => {
    const resolve = notify;
    notify = null;
    resolve?.();
  };
  socket.on('message', (data) => {
    const message = parseMessage(data);
    if (message) queue.push(message);
    else {
      failure ??= target.error(
        0,
        'ERR_STREAM_PROTOCOL',
        'the gateway sent a message this client does not know',
      );
      socket.terminate();
    }
    wake();
  });
  socket.on('unexpected-response', (_request, response) => {
    void responseError(target, response).then((error) => {
      failure ??= error;
      socket.terminate();
      wake();
    });
  });
  socket.on('error', (error: Error & { code?: string }) => {
    failure ??= target.error(
      0,
      'ERR_GATEWAY_UNREACHABLE',
      `stream connection failed: ${error.code ?? error.message}`,
    );
    wake();
  });
  socket.on('close', (code, reason) => {
    closed = { code, reason: reason.toString('utf8') };
    wake();
  });
  const onAbort = () => {
    socket.terminate();
    wake();
  };
  options.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      const message = queue.shift();
      if (message) {
        yield message;
        if (message.type !== 'chunk') return;
        continue;
      }
      options.signal?.throwIfAborted();
      if (failure) throw failure;
      if (closed) {
        const { code, reason } = closed;
        throw target.error(
          0,
          'ERR_STREAM_CLOSED',
          `the stream closed before the execution ended (close code ${code}${reason ? `, ${reason}` : ''})`,
        );
      }
      await new Promise<void>((resolve) => {
        notify = resolve;
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (socket.readyState === WebSocket.OPEN) socket.close(1000);
    else if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
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
