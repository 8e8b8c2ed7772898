/**
 * The subscriber side every event bus shares: handlers per event name (and per execution for
 * the execution events), and a dispatch that a throwing handler cannot break (the contract says
 * handlers must not throw; a bug in one must still not stop the others, nor the bus).
 */
import type { EventBus, EventMap, EventName } from '../core/events.js';
import type { Logger } from '../core/logger.js';

type AnyHandler = (payload: never) => void;

/** An `EventBus` whose subscriptions may take effect asynchronously (Redis SUBSCRIBE). */
export interface AwaitableEventBus extends EventBus {
  /** Resolves once every subscription made so far receives events. */
  ready(): Promise<void>;
}

/** Whose handlers: every occurrence of the event (no execution id), or one execution's. */
type Scope = string | undefined;

export class HandlerRegistry {
  /** By `event`, or `event execution-id` for one execution's handlers. */
  private readonly handlers = new Map<string, Set<AnyHandler>>();

  constructor(private readonly logger: Logger) {}

  /**
   * Adds `handler` for `event` (of `executionId` only, when given); `first` is true when it is
   * the only handler of that event and scope (subscribe upstream).
   */
  add<E extends EventName>(
    event: E,
    handler: (payload: EventMap[E]) => void,
    executionId?: Scope,
  ): { first: boolean } {
    const key = keyOf(event, executionId);
    let set = this.handlers.get(key);
    if (!set) {
      set = new Set();
      this.handlers.set(key, set);
    }
    set.add(handler as AnyHandler);
    return { first: set.size === 1 };
  }

  /** Removes `handler`; `last` is true when its event and scope have no handler left (unsubscribe upstream). */
  remove<E extends EventName>(
    event: E,
    handler: (payload: EventMap[E]) => void,
    executionId?: Scope,
  ): { last: boolean } {
    const key = keyOf(event, executionId);
    const set = this.handlers.get(key);
    if (!set?.delete(handler as AnyHandler)) return { last: false };
    if (set.size > 0) return { last: false };
    this.handlers.delete(key);
    return { last: true };
  }

  /** Runs the handlers of `event` in one scope: every occurrence's, or `executionId`'s. */
  dispatch<E extends EventName>(event: E, payload: EventMap[E], executionId?: Scope): void {
    const set = this.handlers.get(keyOf(event, executionId));
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

function keyOf(event: EventName, executionId: Scope): string {
  return executionId === undefined ? event : `${event} ${executionId}`;
}
