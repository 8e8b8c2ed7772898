/**
 * HTTP/1.1 to Firecracker's API over its Unix socket, with the rules its server (micro_http)
 * imposes: it does not understand chunked bodies, so every body goes with a Content-Length; a
 * GET carries no body and a PUT/PATCH always one; resource ids in paths are letters, digits and
 * `_` only. A 4xx answer's `fault_message` becomes an ERR_FIRECRACKER_FAULT whose message quotes
 * it; an unreachable or silent socket is ERR_DRIVER_FAILED.
 */
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { AetherError } from '../../core/errors.js';
import { connectUnixNoFollow } from './unix-socket.js';

export type ApiMethod = 'GET' | 'PUT' | 'PATCH';

/** Firecracker's answers are small; anything bigger is not Firecracker talking. */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** Firecracker's default `--http-api-max-payload-size`. */
export const MAX_REQUEST_BYTES = 51_200;

const RESOURCE_ID = /^[A-Za-z0-9_]+$/;

/** Drive, interface and pmem ids: Firecracker refuses anything but letters, digits and `_`. */
export function assertResourceId(kind: string, id: string): void {
  if (!RESOURCE_ID.test(id) || id.length > 64) {
    throw new AetherError(
      'ERR_VALIDATION',
      `Firecracker ${kind} id "${String(id).slice(0, 80)}" must be 1-64 letters, digits or underscores`,
    );
  }
}

export interface ApiAnswer {
  status: number;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown;
}

export interface ApiTransportOptions {
  /** Per-request deadline (connect + answer). Default 5 000 ms. */
  timeoutMs?: number;
}

export class FirecrackerTransport {
  readonly timeoutMs: number;

  constructor(
    readonly socketPath: string,
    options: ApiTransportOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** Sends one request; resolves with a 2xx answer, rejects with our error for anything else. */
  async send(
    method: ApiMethod,
    path: string,
    body?: unknown,
    timeoutMs = this.timeoutMs,
  ): Promise<ApiAnswer> {
    if (method === 'GET' && body !== undefined) {
      throw new AetherError('ERR_INTERNAL', `GET ${path} cannot carry a body (Firecracker refuses it)`);
    }
    if (method !== 'GET' && (body === undefined || body === null)) {
      throw new AetherError(
        'ERR_INTERNAL',
        `${method} ${path} needs a body (Firecracker refuses an empty one)`,
      );
    }
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    if (payload && payload.length > MAX_REQUEST_BYTES) {
      throw new AetherError(
        'ERR_VALIDATION',
        `${method} ${path}: body of ${payload.length} bytes exceeds Firecracker's ${MAX_REQUEST_BYTES}`,
      );
    }
    const deadline = Date.now() + timeoutMs;
    let socket: Socket;
    try {
      socket = await connectUnixNoFollow(this.socketPath, timeoutMs);
    } catch (error) {
      throw new AetherError(
        'ERR_DRIVER_FAILED',
        `Firecracker API ${method} ${path}: cannot connect to ${(error as Error).message}`,
        { cause: error, details: { method, path, socket: this.socketPath } },
      );
    }
    const answer = await exchange(socket, method, path, payload, Math.max(1, deadline - Date.now()));
    if (answer.status >= 200 && answer.status < 300) return answer;
    const fault = faultMessage(answer.body);
    throw new AetherError(
      'ERR_FIRECRACKER_FAULT',
      `Firecracker refused ${method} ${path} (${answer.status}): ${fault ?? 'no fault_message'}`,
      { details: { method, path, status: answer.status, faultMessage: fault } },
    );
  }
}

function faultMessage(body: unknown): string | null {
  if (typeof body === 'object' && body !== null && 'fault_message' in body) {
    const message = (body as { fault_message: unknown }).fault_message;
    return typeof message === 'string' ? message : JSON.stringify(message);
  }
  return typeof body === 'string' && body !== '' ? body : null;
}

function exchange(
  socket: Socket,
  method: ApiMethod,
  path: string,
  payload: Buffer | null,
  timeoutMs: number,
): Promise<ApiAnswer> {
  return new Promise<ApiAnswer>((resolve, reject) => {
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const fail = (why: string, cause?: unknown) =>
      reject(
        new AetherError('ERR_DRIVER_FAILED', `Firecracker API ${method} ${path}: ${why}`, {
          cause,
          details: { method, path },
        }),
      );
    const req = httpRequest({
      method,
      path,
      headers,
      host: 'localhost',
      // No agent: without one, Node uses this connection for the request (one per request).
      createConnection: () => socket,
    });
    const timer = setTimeout(() => {
      req.destroy();
      fail(`no answer after ${timeoutMs} ms`);
    }, timeoutMs);
    req.once('error', (error) => {
      clearTimeout(timer);
      fail(error.message, error);
    });
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          clearTimeout(timer);
          req.destroy();
          fail(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
          return;
        }
        chunks.push(chunk);
      });
      res.once('error', (error) => {
        clearTimeout(timer);
        fail(error.message, error);
      });
      res.once('end', () => {
        clearTimeout(timer);
        socket.destroy();
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.end(payload ?? undefined);
  });
}
