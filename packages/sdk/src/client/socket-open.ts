/**
 * Opens a WebSocket to one of the gateway's socket routes (terminal attach, port connect): the
 * upgrade's refusal becomes the gateway's own error (a 404 for an unknown VM, a 502 for a port
 * nobody listens on), a failed connection ERR_GATEWAY_UNREACHABLE.
 */
import WebSocket from 'ws';
import { responseError, type StreamTarget } from './websocket-messages.js';
import { SOCKET_FRAME_BYTES } from './wire.js';

/**
 * `wrap` is applied to the socket at once, before it opens: a server's first message may arrive
 * in the same read as the upgrade's answer and be emitted before any later listener exists.
 */
export function openSocket<T>(
  target: StreamTarget,
  wrap: (socket: WebSocket) => T,
  signal?: AbortSignal,
): Promise<T> {
  const url = new URL(target.url);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: target.headers, maxPayload: SOCKET_FRAME_BYTES });
    const wrapped = wrap(socket);
    let refused = false;
    const onAbort = () => {
      socket.terminate();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('open', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(wrapped);
    });
    socket.once('unexpected-response', (_req, res) => {
      refused = true;
      signal?.removeEventListener('abort', onAbort);
      // The body says why; the socket goes only once it is read.
      void responseError(target, res)
        .then(reject)
        .finally(() => socket.terminate());
    });
    socket.on('error', (error) => {
      // After a refusal the socket is torn down on purpose: the refusal is the answer.
      if (refused) return;
      signal?.removeEventListener('abort', onAbort);
      reject(
        target.error(
          0,
          'ERR_GATEWAY_UNREACHABLE',
          `cannot reach the gateway at ${url.origin}: ${error.message}`,
        ),
      );
    });
  });
}
