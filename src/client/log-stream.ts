/**
 * `GET /api/v1/logs/stream` over a WebSocket: the last matching lines, then each new one as it is
 * written, until the caller stops (its signal) or the gateway ends the tail.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { LogStreamMessage } from '../api/types.js';
import type { StreamTarget } from './execution-stream.js';

export interface LogTailOptions {
  /** Stops the tail; the iterator then returns. */
  signal?: AbortSignal;
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
 * Yields `line` messages as they come. An `error` message from the gateway is thrown (with its
 * code); a connection that ends otherwise is ERR_STREAM_CLOSED (status 0); an abort returns.
 */
export async function* openLogTail(
  target: StreamTarget,
  options: LogTailOptions = {},
): AsyncGenerator<Extract<LogStreamMessage, { type: 'line' }>> {
  const url = new URL(target.url);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url, { headers: target.headers });
  const queue: LogStreamMessage[] = [];
  let failure: Error | null = null;
  let closed: { code: number; reason: string } | null = null;
  let notify: (() => void) | null = null;
  const wake = () => {
    const resolve = notify;
    notify = null;
    resolve?.();
  };
  socket.on('message', (data) => {
    try {
      queue.push(JSON.parse(String(data)) as LogStreamMessage);
    } catch {
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
      `log stream failed: ${error.code ?? error.message}`,
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
      if (message?.type === 'line') {
        yield message;
        continue;
      }
      if (message?.type === 'error') throw target.error(0, message.code, message.message, message);
      if (options.signal?.aborted) return;
      if (failure) throw failure;
      if (closed) {
        const { code, reason } = closed;
        throw target.error(
          0,
          'ERR_STREAM_CLOSED',
          `the log stream closed (close code ${code}${reason ? `, ${reason}` : ''})`,
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
