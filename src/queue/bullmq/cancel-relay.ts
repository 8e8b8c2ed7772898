/**
 * Cancels a task that runs in another process (or another queue instance in this process).
 *
 * BullMQ's `worker.cancelJob` only reaches processors of that Worker object. A gateway that is
 * asked to cancel a running `vm:execute` holds no such worker, so it publishes a custom event on
 * a control queue through BullMQ's own event stream (Redis stream / PostgreSQL `event` table +
 * NOTIFY), and every consuming instance aborts the task if it runs it. Best effort, like any
 * event: a consumer that starts listening after the event was published does not see it.
 */
import type { Logger } from '../../core/logger.js';
import type { BullmqBackend, EventsHandle, EventsProducerHandle } from './backend.js';

/** Our name for the control queue; it never carries jobs. */
export const CONTROL_QUEUE = 'control';
const CANCEL_EVENT = 'aether-cancel';
/** Control events are only useful for seconds; keep the stream short. */
const MAX_CONTROL_EVENTS = 100;

export interface CancelRelay {
  /** Starts receiving cancellations from other instances (idempotent). */
  listen(): Promise<void>;
  publish(taskId: string, reason: string): Promise<void>;
  close(): Promise<void>;
}

export function createCancelRelay(
  backend: BullmqBackend,
  cancelLocal: (taskId: string, reason: string) => boolean,
  logger: Logger,
): CancelRelay {
  let events: EventsHandle | undefined;
  let producer: EventsProducerHandle | undefined;

  return {
    async listen() {
      if (events) return;
      const listener = backend.createEvents(CONTROL_QUEUE);
      listener.on('error', (error: Error) => logger.warn({ err: error }, 'cancel relay error'));
      listener.on(CANCEL_EVENT, (args: { taskId?: string; reason?: string }) => {
        if (typeof args.taskId !== 'string') return;
        if (cancelLocal(args.taskId, args.reason ?? 'cancelled')) {
          logger.debug({ taskId: args.taskId }, 'cancelled task on request of another instance');
        }
      });
      events = listener;
      await listener.waitUntilReady();
    },
    async publish(taskId, reason) {
      producer ??= backend.createEventsProducer(CONTROL_QUEUE);
      await producer.publishEvent({ eventName: CANCEL_EVENT, taskId, reason }, MAX_CONTROL_EVENTS);
    },
    async close() {
      await Promise.allSettled([events?.close(), producer?.close()]);
    },
  };
}
