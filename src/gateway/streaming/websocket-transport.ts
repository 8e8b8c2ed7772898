import type { WebSocket } from 'ws';
import { keepAlive } from './keep-alive.js';
import type { StreamTransport, TransportOptions } from './transport.js';

/**
 * A stream on an accepted WebSocket: one JSON text frame per message. Listeners are attached at
 * once, before anything is awaited, so no event of the socket is missed.
 */
export function websocketTransport<M>(socket: WebSocket, options: TransportOptions = {}): StreamTransport<M> {
  const gone = new AbortController();
  let alive = true;
  const stopKeepAlive = keepAlive(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, options.keepAliveMs);
  const leave = () => {
    stopKeepAlive();
    gone.abort();
  };
  socket.on('pong', () => {
    alive = true;
  });
  socket.on('close', leave);
  socket.on('error', leave);
  // Clients have nothing to say on these streams; frames they send are ignored.
  socket.on('message', () => {});
  return {
    gone: gone.signal,
    send: (message) =>
      new Promise<void>((resolve, reject) => {
        if (gone.signal.aborted) {
          reject(new Error('client gone'));
          return;
        }
        socket.send(JSON.stringify(message), (error) => (error ? reject(error) : resolve()));
      }),
    end(close) {
      stopKeepAlive();
      if (gone.signal.aborted) {
        socket.terminate();
        return;
      }
      socket.close(close.code, close.reason);
    },
  };
}
