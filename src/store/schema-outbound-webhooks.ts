/** Outbound webhooks' tables (migration 0018); re-exported by schema.ts with the rest. */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { DELIVERY_STATUSES, type WebhookEvent } from '../core/outbound-webhooks.js';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true });

export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: uuid('id').primaryKey(),
    project: text('project').notNull(),
    url: text('url').notNull(),
    events: text('events').array().notNull(),
    /** The HMAC key, kept as is: signing needs it back (the database is the trust boundary). */
    secret: text('secret').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('webhook_subscriptions_project_idx').on(t.project).where(sql`${t.active}`)],
);

export const outboundDeliveries = pgTable(
  'outbound_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    project: text('project').notNull(),
    event: text('event').$type<WebhookEvent>().notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
    /** Retries stop this long (webhooks.retry_for_ms) after it: the queueing, or the redelivery. */
    retryFrom: timestamptz('retry_from').notNull().defaultNow(),
    lastAttemptAt: timestamptz('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    deliveredAt: timestamptz('delivered_at'),
    redeliveryOf: uuid('redelivery_of'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    check('outbound_deliveries_status_check', sql`${t.status} IN ('pending', 'delivered', 'failed')`),
    index('outbound_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('outbound_deliveries_subscription_idx').on(t.subscriptionId, t.createdAt),
  ],
);
