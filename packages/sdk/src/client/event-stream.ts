/**
 * `GET /api/v1/events` over a WebSocket: `ready` once the gateway listens, then each VM, task and
 * worker change the caller may see, until the caller stops (its signal) or the gateway ends it.
 */
import type { EventStreamMessage } from '../api-types.js';
import { type StreamTarget, websocketMessages } from './websocket-messages.js';

/** A message of the event feed other than the `error` that ends it. */
export type EventFeedMessage = Exclude<EventStreamMessage, { type: 'error' }>;

export interface EventFeedOptions {
  /** Stops the feed; the iterator then returns. */
  signal?: AbortSignal;
}

/**
 * Yields `ready`, then changes as they come. An `error` message from the gateway is thrown (with
 * its code: ERR_SHUTTING_DOWN, or ERR_RATE_LIMITED for a reader that fell behind); a connection
 * that ends otherwise is ERR_STREAM_CLOSED (status 0); an abort returns. Nothing is replayed:
 * after a reconnect, read the lists again once the new `ready` arrives.
 */
export async function* openEventFeed(
  target: StreamTarget,
  options: EventFeedOptions = {},
): AsyncGenerator<EventFeedMessage> {
  for await (const message of websocketMessages(target, {
    url: new URL(target.url),
    parse: (data) => {
      try {
        return JSON.parse(String(data)) as EventStreamMessage;
      } catch {
        return null;
      }
    },
    what: 'event stream',
    signal: options.signal,
    onAbort: 'return',
  })) {
    if (message.type === 'error') throw target.error(0, message.code, message.message, message);
    yield message;
  }
}
