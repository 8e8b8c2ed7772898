import { lt, sql } from 'drizzle-orm';
import { webhookDeliveries } from '../schema.js';
import type { Db } from './db.js';

/**
 * One INSERT decides: the primary key makes a concurrent second claim of the same delivery lose
 * on every gateway. An expired entry is replaced (the conflict update fires only past its expiry),
 * so a GitHub redelivery days later is taken again, as GitHub means it to be.
 */
export async function claimWebhookDelivery(
  db: Db,
  integration: string,
  deliveryId: string,
  ttlMs: number,
): Promise<boolean> {
  const now = new Date();
  await db.delete(webhookDeliveries).where(lt(webhookDeliveries.expiresAt, new Date(now.getTime() - 60_000)));
  const rows = await db
    .insert(webhookDeliveries)
    .values({ integration, deliveryId, expiresAt: new Date(now.getTime() + ttlMs) })
    .onConflictDoUpdate({
      target: [webhookDeliveries.integration, webhookDeliveries.deliveryId],
      set: { expiresAt: new Date(now.getTime() + ttlMs) },
      setWhere: sql`${webhookDeliveries.expiresAt} <= ${now}`,
    })
    .returning({ deliveryId: webhookDeliveries.deliveryId });
  return rows.length === 1;
}
