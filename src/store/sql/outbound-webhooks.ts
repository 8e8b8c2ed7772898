import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import { isUuid } from '../../core/ids.js';
import type {
  AttemptOutcome,
  ClaimedDelivery,
  NewWebhookSubscription,
  OutboundDelivery,
  StoredWebhookSubscription,
  WebhookSubscription,
} from '../../core/outbound-webhooks.js';
import { outboundDeliveries as d, webhookSubscriptions as s } from '../schema.js';
import type { Db } from './db.js';

type SubscriptionRow = typeof s.$inferSelect;
type DeliveryRow = typeof d.$inferSelect;

function toSubscription(row: SubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    project: row.project,
    url: row.url,
    events: row.events,
    active: row.active,
    createdAt: row.createdAt,
  };
}

function toStoredSubscription(row: SubscriptionRow): StoredWebhookSubscription {
  return { ...toSubscription(row), secret: row.secret };
}

function toDelivery(row: DeliveryRow): OutboundDelivery {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    project: row.project,
    event: row.event,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastAttemptAt: row.lastAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt,
    redeliveryOf: row.redeliveryOf,
    createdAt: row.createdAt,
  };
}

const ms = (value: number) => sql`${Math.round(value)} * interval '1 millisecond'`;

export async function insertWebhookSubscription(
  db: Db,
  subscription: NewWebhookSubscription,
): Promise<WebhookSubscription> {
  const [row] = await db.insert(s).values(subscription).returning();
  return toSubscription(row!);
}

export async function getWebhookSubscription(db: Db, id: string): Promise<WebhookSubscription | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(s).where(eq(s.id, id));
  return row ? toSubscription(row) : null;
}

export async function listWebhookSubscriptions(db: Db, project?: string): Promise<WebhookSubscription[]> {
  const rows = await db
    .select()
    .from(s)
    .where(project === undefined ? undefined : eq(s.project, project))
    .orderBy(asc(s.createdAt), asc(s.id));
  return rows.map(toSubscription);
}

export async function deleteWebhookSubscription(db: Db, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db.delete(s).where(eq(s.id, id)).returning({ id: s.id });
  return rows.length === 1;
}

export async function listOutboundDeliveries(
  db: Db,
  subscriptionId: string,
  options: { limit?: number } = {},
): Promise<OutboundDelivery[]> {
  if (!isUuid(subscriptionId)) return [];
  const rows = await db
    .select()
    .from(d)
    .where(eq(d.subscriptionId, subscriptionId))
    .orderBy(desc(d.createdAt), desc(d.id))
    .limit(options.limit ?? 100);
  return rows.map(toDelivery);
}

export async function getOutboundDelivery(db: Db, id: string): Promise<OutboundDelivery | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(d).where(eq(d.id, id));
  return row ? toDelivery(row) : null;
}

/**
 * One UPDATE claims: the rows are picked with SKIP LOCKED (a concurrent claim skips them rather
 * than waiting), and the UPDATE checks again that each is pending and due, which a row another
 * claim just took no longer is (its due time moved out by the lease).
 */
export async function claimOutboundDeliveries(
  db: Db,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const due = () => and(eq(d.status, 'pending'), lte(d.nextAttemptAt, sql`now()`));
  const picked = db
    .select({ id: d.id })
    .from(d)
    .innerJoin(s, eq(s.id, d.subscriptionId))
    .where(and(due(), eq(s.active, true)))
    .orderBy(asc(d.nextAttemptAt))
    .limit(limit)
    .for('update', { of: d, skipLocked: true });
  const claimed = await db
    .update(d)
    .set({
      attempts: sql`${d.attempts} + 1`,
      nextAttemptAt: sql`now() + ${ms(leaseMs)}`,
      lastAttemptAt: sql`now()`,
    })
    .where(and(inArray(d.id, picked), due()))
    .returning();
  if (claimed.length === 0) return [];
  const subscriptions = await db
    .select()
    .from(s)
    .where(inArray(s.id, [...new Set(claimed.map((row) => row.subscriptionId))]));
  const byId = new Map(subscriptions.map((row) => [row.id, toStoredSubscription(row)]));
  return claimed.flatMap((row) => {
    const subscription = byId.get(row.subscriptionId);
    return subscription ? [{ delivery: toDelivery(row), subscription }] : [];
  });
}

export async function settleOutboundDelivery(
  db: Db,
  id: string,
  attempt: number,
  outcome: AttemptOutcome,
): Promise<OutboundDelivery | null> {
  const result = {
    lastStatusCode: outcome.statusCode,
    lastError: outcome.kind === 'delivered' ? null : outcome.error,
  };
  const set =
    outcome.kind === 'delivered'
      ? { ...result, status: 'delivered' as const, deliveredAt: sql`now()` }
      : outcome.kind === 'failed'
        ? { ...result, status: 'failed' as const }
        : {
            ...result,
            // Past its retry window a delivery fails instead of waiting once more.
            status: sql`CASE WHEN now() + ${ms(outcome.delayMs)} > ${d.retryFrom} + ${ms(outcome.retryForMs)}
              THEN 'failed' ELSE 'pending' END`,
            nextAttemptAt: sql`now() + ${ms(outcome.delayMs)}`,
          };
  const [row] = await db
    .update(d)
    .set(set)
    .where(and(eq(d.id, id), eq(d.attempts, attempt), eq(d.status, 'pending')))
    .returning();
  return row ? toDelivery(row) : null;
}

export async function redeliverOutbound(db: Db, id: string, newId: string): Promise<OutboundDelivery | null> {
  const original = await getOutboundDelivery(db, id);
  if (!original) return null;
  const [row] = await db
    .insert(d)
    .values({
      id: newId,
      subscriptionId: original.subscriptionId,
      project: original.project,
      event: original.event,
      payload: original.payload,
      redeliveryOf: original.id,
    })
    .returning();
  return toDelivery(row!);
}
