import { type EventBus, type EventMap, type Unsubscribe, withoutLocalRecords } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import {
  type Integration,
  type IntegrationName,
  NOTIFIABLE_EVENTS,
  type NotifiableEvent,
  type Notification,
} from './contract.js';

export interface Subscription {
  event: NotifiableEvent;
  integration: IntegrationName;
}

/** Parses `task.failed=slack,vm.lost=slack` (validated by the config schema). */
export function parseSubscriptions(text: string): Subscription[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [event, integration] = entry.split('=') as [NotifiableEvent, IntegrationName];
      return { event, integration };
    });
}

/** One id per occurrence of an event, the same on every gateway that hears it. */
function occurrenceId(event: NotifiableEvent, payload: EventMap[NotifiableEvent]): string {
  if ('taskId' in payload) return `${event}:${payload.taskId}`;
  if ('vmId' in payload) return `${event}:${payload.vmId}`;
  if ('workerId' in payload && 'epoch' in payload) return `${event}:${payload.workerId}:${payload.epoch}`;
  return `${event}:${JSON.stringify(payload)}`;
}

/** How long a sent notification's id is kept: longer than any event's trip across the bus. */
const NOTIFIED_TTL_MS = 3_600_000;

/**
 * Turns platform events into notifications. Every gateway of a cluster hears every event, so each
 * occurrence is claimed in the store first: one of them sends it.
 */
export function subscribe(
  events: EventBus,
  subscriptions: readonly Subscription[],
  integrations: ReadonlyMap<IntegrationName, Integration>,
  claim: (id: string, ttlMs: number) => Promise<boolean>,
  logger: Logger,
): Unsubscribe {
  const stops: Unsubscribe[] = [];
  for (const { event, integration: name } of subscriptions) {
    const integration = integrations.get(name);
    if (!integration || !NOTIFIABLE_EVENTS.includes(event)) continue;
    stops.push(
      events.subscribe(event, (payload) => {
        // The same payload in every mode: what an in-process bus carries besides stays here.
        const notification = { event, payload: withoutLocalRecords(payload) } as Notification;
        void claim(`${name}:${occurrenceId(event, payload)}`, NOTIFIED_TTL_MS)
          .then((mine) => (mine ? integration.notify(notification) : undefined))
          .catch((error: unknown) => {
            logger.warn(
              { integration: name, event, err: error instanceof Error ? error.message : String(error) },
              'notification failed',
            );
          });
      }),
    );
  }
  return () => {
    for (const stop of stops) stop();
  };
}
