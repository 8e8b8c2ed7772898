/**
 * `GET /api/v1/logs/stream` over a WebSocket: the last matching lines, then each new one as it is
 * written, until the caller stops (its signal) or the gateway ends the tail.
 */
import type { LogStreamMessage } from '../api-types.js';
import { type StreamTarget, websocketMessages } from './websocket-messages.js';

export interface LogTailOptions {
  /** Stops the tail; the iterator then returns. */
  signal?: AbortSignal;
}

/**
 * Yields `line` messages as they come. An `error` message from the gateway is thrown (with its
 * code); a connection that ends otherwise is ERR_STREAM_CLOSED (status 0); an abort returns.
 */
export async function* openLogTail(
  target: StreamTarget,
  options: LogTailOptions = {},
): AsyncGenerator<Extract<LogStreamMessage, { type: 'line' }>> {
  for await (const message of websocketMessages(target, {
    url: new URL(target.url),
    parse: (data) => {
      try {
        return JSON.parse(String(data)) as LogStreamMessage;
      } catch {
        return null;
      }
    },
    what: 'log stream',
    signal: options.signal,
    onAbort: 'return',
  })) {
    if (message.type === 'error') throw target.error(0, message.code, message.message, message);
    if (message.type === 'line') yield message;
  }
}
