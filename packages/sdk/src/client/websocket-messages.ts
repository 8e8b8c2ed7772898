/**
 * A WebSocket of the gateway as an async iterator of its messages, shared by the execution
 * stream and the log tail: the upgrade's refusal becomes the gateway's own error (a 404 for an
 * unknown id, a 401...), a message the client cannot read ERR_STREAM_PROTOCOL, a failed
 * connection ERR_GATEWAY_UNREACHABLE and an early close ERR_STREAM_CLOSED (status 0 each). The
 * caller decides when the stream is over: the socket closes as soon as it stops iterating.
 */
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';

/** Where a stream connects, and how the client makes its errors (its own error class). */
export interface StreamTarget {
  /** `http(s)://…/api/v1/…/stream`; the scheme becomes ws(s). */
  url: string;
  headers: Record<string, string>;
  error(status: number, code: string, message: string, body?: unknown): Error;
}

export interface WebSocketMessagesOptions<M> {
  /** The URL to connect to: the target's, with its query (the scheme is set here). */
  url: URL;
  /** The message, or null when it is not one this client knows. */
  parse(data: WebSocket.RawData): M | null;
  /** Names the stream in errors: `the ${what} closed …`, `${what} failed: …`. */
  what: string;
  signal?: AbortSignal | undefined;
  /** On abort: end quietly (`return`), or throw the signal's reason (`throw`). */
  onAbort: 'return' | 'throw';
}

/** A refused upgrade's answer as the gateway's own error (its code and status), else ERR_HTTP. */
export async function responseError(target: StreamTarget, res: IncomingMessage): Promise<Error> {
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

export async function* websocketMessages<M>(
  target: StreamTarget,
  options: WebSocketMessagesOptions<M>,
): AsyncGenerator<M> {
  const url = new URL(options.url);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  // Loaded on the first stream, not with the client: most calls never open one.
  const { default: WebSocket } = await import('ws');
  const socket = new WebSocket(url, { headers: target.headers });
  const queue: M[] = [];
  let failure: Error | null = null;
  let closed: { code: number; reason: string } | null = null;
  let notify: (() => void) | null = null;
  const wake = () => {
    const resolve = notify;
    notify = null;
    resolve?.();
  };
  socket.on('message', (data) => {
    const message = options.parse(data);
    if (message !== null) queue.push(message);
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
      `${options.what} failed: ${error.code ?? error.message}`,
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
      if (queue.length > 0) {
        yield queue.shift()!;
        continue;
      }
      if (options.signal?.aborted) {
        if (options.onAbort === 'return') return;
        options.signal.throwIfAborted();
      }
      if (failure) throw failure;
      if (closed) {
        const { code, reason } = closed;
        throw target.error(
          0,
          'ERR_STREAM_CLOSED',
          `the ${options.what} closed (close code ${code}${reason ? `, ${reason}` : ''})`,
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
