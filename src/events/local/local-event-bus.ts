/**
 * In-process event bus for embedded mode (`aether up`): one process, so no transport at all.
 * Handlers run synchronously inside `publish`, in subscription order; payloads are passed by
 * reference, so handlers must treat them as read-only.
 */
import { AetherError } from '../../core/errors.js';
import {
  type EventMap,
  type EventName,
  type ExecutionEventName,
  isExecutionEvent,
  type Unsubscribe,
} from '../../core/events.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { type AwaitableEventBus, HandlerRegistry } from '../handlers.js';

export interface LocalEventBusOptions {
  logger?: Logger;
}

export function createLocalEventBus(options: LocalEventBusOptions = {}): AwaitableEventBus {
  const logger = (options.logger ?? silentLogger).child({ component: 'events', events: 'local' });
  const registry = new HandlerRegistry(logger);
  let closed = false;

  return {
    async publish<E extends EventName>(event: E, payload: EventMap[E]): Promise<void> {
      if (closed) return;
      registry.dispatch(event, payload);
      if (isExecutionEvent(event)) {
        const { executionId } = payload as EventMap[ExecutionEventName];
        registry.dispatch(event, payload, executionId);
      }
    },
    subscribe<E extends EventName>(event: E, handler: (payload: EventMap[E]) => void): Unsubscribe {
      if (closed) return () => {};
      registry.add(event, handler);
      return () => {
        registry.remove(event, handler);
      };
    },
    subscribeExecution<E extends ExecutionEventName>(
      event: E,
      executionId: string,
      handler: (payload: EventMap[E]) => void,
    ): Unsubscribe {
      if (closed) return () => {};
      registry.add(event, handler, executionId);
      return () => {
        registry.remove(event, handler, executionId);
      };
    },
    async ready(): Promise<void> {},
    async ping(): Promise<void> {
      if (closed) throw new AetherError('ERR_QUEUE_UNAVAILABLE', 'event bus is closed');
    },
    async close(): Promise<void> {
      closed = true;
      registry.clear();
    },
  };
}
