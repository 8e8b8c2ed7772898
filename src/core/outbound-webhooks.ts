/**
 * Outbound webhooks: a project subscribes a URL to events and receives each as a signed POST.
 * Not to be confused with the inbound GitHub and Slack webhooks (core/integrations.ts).
 *
 * Deliveries form an outbox in the store. The database writes them itself, in the statement
 * that changes a VM's or task's status or completes an execution (migration 0018): a change
 * that committed always has its deliveries, exactly once, whichever gateway, worker or
 * housekeeping loop made it. A dispatcher on every gateway claims due deliveries, each once
 * across gateways, and posts them; see service/outbound/dispatcher.ts.
 */
import type { EventName } from './events.js';

/**
 * The events a subscription may receive: those of one project's VMs, tasks and executions.
 * Left out: `execution.output` (a message per chunk of output is a stream, not a webhook) and
 * the `worker.*` events (the platform's, not a project's).
 */
export const WEBHOOK_EVENTS = [
  'vm.status',
  'vm.created',
  'vm.started',
  'vm.stopped',
  'vm.paused',
  'vm.resumed',
  'vm.deleted',
  'vm.failed',
  'vm.lost',
  'task.updated',
  'task.completed',
  'task.failed',
  'task.cancelled',
  'execution.completed',
] as const satisfies readonly EventName[];
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const EVENT_GROUPS = new Set(WEBHOOK_EVENTS.map((event) => event.split('.')[0]));

/** `*`, a group (`vm.*`, `task.*`, `execution.*`) or an exact event name of WEBHOOK_EVENTS. */
export function isWebhookEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return EVENT_GROUPS.has(pattern.slice(0, -2));
  return (WEBHOOK_EVENTS as readonly string[]).includes(pattern);
}

/** The rule the database applies when it writes deliveries (migration 0018), for readers here. */
export function matchesEventPattern(pattern: string, event: string): boolean {
  return pattern === '*' || pattern === event || pattern === `${event.split('.')[0]}.*`;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A subscription as listed: never its secret. */
export interface WebhookSubscription {
  id: string;
  project: string;
  url: string;
  /** Patterns, as isWebhookEventPattern accepts them. */
  events: string[];
  active: boolean;
  createdAt: Date;
}

/** A subscription with the HMAC key its deliveries are signed with (the dispatcher's view). */
export interface StoredWebhookSubscription extends WebhookSubscription {
  secret: string;
}

export type NewWebhookSubscription = Omit<StoredWebhookSubscription, 'createdAt'>;

export interface OutboundDelivery {
  /** Sent as `X-Aether-Delivery`: the same on every attempt, so a receiver can drop repeats. */
  id: string;
  subscriptionId: string;
  project: string;
  event: WebhookEvent;
  /** The event's payload, as core/events.ts types it for `event`. */
  payload: unknown;
  status: DeliveryStatus;
  /** Attempts started so far; also the fencing token of the attempt in flight. */
  attempts: number;
  /** When a pending delivery is due (or, while an attempt is in flight, when its claim lapses). */
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  /** The delivery this one repeats, for one made by a redelivery. */
  redeliveryOf: string | null;
  /** When the event happened. */
  createdAt: Date;
}

/** A delivery taken by one dispatcher for one attempt, with the subscription to send it to. */
export interface ClaimedDelivery {
  delivery: OutboundDelivery;
  subscription: StoredWebhookSubscription;
}

/** How an attempt ended, as the dispatcher writes it back. */
export type AttemptOutcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'failed'; statusCode: number | null; error: string }
  /** Due again after `delayMs`, unless that passes `retryForMs` since the delivery was queued. */
  | { kind: 'retry'; statusCode: number | null; error: string; delayMs: number; retryForMs: number };

/**
 * The outbox's part of the Store. Rules every implementation keeps:
 * - A delivery is claimed by one dispatcher at a time: the claim pushes `nextAttemptAt` out by
 *   the lease and counts the attempt in one guarded statement; a claim that lapses (its
 *   dispatcher died) makes the delivery due again, with the same id.
 * - Settling applies only while the delivery is pending and its attempt count is the claim's.
 * - Deleting a subscription deletes its deliveries. A paused one's wait.
 */
export interface OutboundWebhookStore {
  insertWebhookSubscription(subscription: NewWebhookSubscription): Promise<WebhookSubscription>;
  getWebhookSubscription(id: string): Promise<WebhookSubscription | null>;
  /** Oldest first; every project's when `project` is not given. */
  listWebhookSubscriptions(project?: string): Promise<WebhookSubscription[]>;
  /** False for an unknown id. */
  deleteWebhookSubscription(id: string): Promise<boolean>;
  /** Newest first, at most `limit` (default 100). */
  listOutboundDeliveries(subscriptionId: string, options?: { limit?: number }): Promise<OutboundDelivery[]>;
  getOutboundDelivery(id: string): Promise<OutboundDelivery | null>;
  /** Claims up to `limit` due deliveries of active subscriptions, oldest due first. */
  claimOutboundDeliveries(limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** Null when the claim was no longer current (nothing changed). */
  settleOutboundDelivery(
    id: string,
    attempt: number,
    outcome: AttemptOutcome,
  ): Promise<OutboundDelivery | null>;
  /** Queues a new delivery (new id) of the same event to the same subscription, due now. */
  redeliverOutbound(id: string, newId: string): Promise<OutboundDelivery | null>;
}

/**
 * The wait before attempt `attempt + 1`: doubling from `baseMs` up to `maxMs`, then a random
 * part of it taken off (up to half), so receivers that came back are not hit by every sender at once.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(ceiling * (1 - random() / 2));
}
