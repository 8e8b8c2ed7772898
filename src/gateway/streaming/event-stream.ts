import type { z } from 'zod';
import type { ApiSchema } from '../../api/schemas.js';
import { AetherError, type WireError } from '../../core/errors.js';
import type { LiveEvent, LiveEventType, LiveFeedReady } from '../../core/live-events.js';
import type { Access } from '../../core/principal.js';
import type { LiveEventService } from '../../service/live-events/live-event-service.js';
import type { StreamSpec } from './run-stream.js';
import { errorClose, NORMAL_CLOSE } from './transport.js';

/** One message of `GET /events` (src/api/events.ts), a WebSocket frame or an SSE event. */
export type EventStreamMessage = z.output<ApiSchema<'EventStreamMessage'>>;

/**
 * Changes a client may fall behind before it is dropped. Each waits as a small object (a few
 * hundred bytes), so a stuck client holds well under a megabyte beyond its socket's buffers.
 */
export const MAX_PENDING_EVENTS = 1000;

/** The wire form of a feed's message: snake_case, times in ISO 8601. */
export function eventMessageOf(event: LiveEvent | LiveFeedReady): EventStreamMessage {
  switch (event.type) {
    case 'ready':
      return { type: 'ready' };
    case 'vm':
      return {
        type: 'vm',
        vm_id: event.vmId,
        status: event.status,
        reason: event.reason,
        at: event.at.toISOString(),
      };
    case 'task':
      return {
        type: 'task',
        task_id: event.taskId,
        task_type: event.taskType,
        status: event.status,
        vm_id: event.vmId,
        error_code: event.errorCode,
        at: event.at.toISOString(),
      };
    case 'worker':
      return {
        type: 'worker',
        worker_id: event.workerId,
        event: event.event,
        ...(event.status ? { status: event.status } : {}),
        ...(event.reason !== undefined ? { reason: event.reason } : {}),
        at: event.at.toISOString(),
      };
  }
}

export interface EventStreamOptions {
  types: ReadonlySet<LiveEventType>;
  /**
   * Drops the connection of a client that fell MAX_PENDING_EVENTS behind. Called while the
   * stream may be stuck writing to that client, so it cannot wait for the stream to end itself.
   */
  drop(error: WireError): void;
}

/**
 * The live feed as WebSocket or SSE messages: `ready`, then changes until the client leaves; an
 * `error` ends it (close code 4000 + the error's HTTP status).
 */
export function eventStream(
  feed: LiveEventService,
  access: Access,
  options: EventStreamOptions,
): StreamSpec<EventStreamMessage> {
  return {
    name: 'event stream',
    async *messages(signal) {
      const events = feed.follow(access, {
        types: options.types,
        signal,
        maxPending: MAX_PENDING_EVENTS,
        onOverflow: (error) => options.drop(error.toWire()),
      });
      for await (const event of events) yield eventMessageOf(event);
    },
    isFinal: (message) => message.type === 'error',
    failure: (error) => ({ type: 'error', ...error }),
    shutdown: () => new AetherError('ERR_SHUTTING_DOWN', 'the gateway is closing; reconnect').toWire(),
    closeAfter: (last) => (last?.type === 'error' ? errorClose(last.code) : NORMAL_CLOSE),
  };
}
