import type { WebSocket } from 'ws';
import { ERROR_CODES, isErrorCode } from '../core/errors.js';
import type { StreamSink } from './stream-session.js';

/** How often an idle stream pings its client; a client that missed a whole interval is dropped. */
const PING_INTERVAL_MS = 25_000;

/**
 * Close codes: 1000 after `exit` or an error of scope `execution` (the stream is complete);
 * 4000 + the HTTP status of the code after an error of scope `stream` (4503: reconnect).
 */
export function closeCodeOf(last: Parameters<StreamSink['end']>[0]): number {
  if (!last || last.type === 'exit' || last.scope === 'execution') return 1000;
  return 4000 + (isErrorCode(last.code) ? ERROR_CODES[last.code].status : 500);
}

/**
 * A stream's sink on an accepted WebSocket: one JSON text frame per message. Listeners are
 * attached at once, before anything is awaited, so no event of the socket is missed.
 */
export function websocketSink(socket: WebSocket): StreamSink {
  const gone = new AbortController();
  let alive = true;
  const heartbeat = setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, PING_INTERVAL_MS);
  const leave = () => {
    clearInterval(heartbeat);
    gone.abort();
  };
  socket.on('pong', () => {
    alive = true;
  });
  socket.on('close', leave);
  socket.on('error', leave);
  // Clients have nothing to say on this stream; frames they send are ignored.
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
    end(last) {
      clearInterval(heartbeat);
      if (gone.signal.aborted) {
        socket.terminate();
        return;
      }
      const reason = last?.type === 'error' ? last.code : 'end';
      socket.close(closeCodeOf(last), reason);
    },
  };
}
