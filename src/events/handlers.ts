/**
 * The subscriber side every event bus shares: handlers per event name, and a dispatch that a
 * throwing handler cannot break (the contract says handlers must not throw; a bug in one must
 * still not stop the others, nor the bus).
 */
import type { EventBus, EventMap, EventName } from '../core/events.js';
import type { Logger } from '../core/logger.js';

type AnyHandler = (payload: never) => void;

/** An `EventBus` whose subscriptions may take effect asynchronously (Redis SUBSCRIBE). */
export interface AwaitableEventBus extends EventBus {
  /** Resolves once every subscription made so far receives events. */
  ready(): Promise<void>;
}

export class HandlerRegistry {
  private readonly handlers = new Map<EventName, Set<AnyHandler>>();

  constructor(private readonly logger: Logger) {}

  /** Adds `handler`; `first` is true when it is the event's only handler (subscribe upstream). */
  add<E extends EventName>(event: E, handler: (payload: EventMap[E]) => void): { first: boolean } {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler as AnyHandler);
    return { first: set.size === 1 };
  }

  /** Removes `handler`; `last` is true when the event has no handler left (unsubscribe upstream). */
  remove<E extends EventName>(event: E, handler: (payload: EventMap[E]) => void): { last: boolean } {
    const set = this.handlers.get(event);
    if (!set?.delete(handler as AnyHandler)) return { last: false };
    if (set.size > 0) return { last: false };
    this.handlers.delete(event);
    return { last: true };
  }

  has(event: EventName): boolean {
    return this.handlers.has(event);
  }

  events(): EventName[] {
    return [...this.handlers.keys()];
  }

  dispatch<E extends EventName>(event: E, payload: EventMap[E]): void {
    const set = this.handlers.get(event);
    if (!set) return;
    // A snapshot: handlers may unsubscribe (or subscribe) while we iterate.
    for (const handler of [...set]) {
      try {
        (handler as (payload: EventMap[E]) => void)(payload);
      } catch (error) {
        this.logger.error({ err: error, event }, 'event handler threw');
      }
    }
  }

  clear(): void {
    this.handlers.clear();
  }
}
