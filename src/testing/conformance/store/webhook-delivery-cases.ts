import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './fixtures.js';

export function describeWebhookDeliveryCases(ctx: SuiteContext): void {
  describe('webhook deliveries', () => {
    it('takes a delivery id once per integration, until it expires', async () => {
      const store = ctx.store();
      const id = randomUUID();
      expect(await store.claimWebhookDelivery('github', id, 60_000)).toBe(true);
      expect(await store.claimWebhookDelivery('github', id, 60_000)).toBe(false);
      // Another integration's ledger is its own.
      expect(await store.claimWebhookDelivery('slack', id, 60_000)).toBe(true);
      // An expired entry is taken again (a redelivery long after).
      const short = randomUUID();
      expect(await store.claimWebhookDelivery('github', short, 1)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.claimWebhookDelivery('github', short, 60_000)).toBe(true);
      expect(await store.claimWebhookDelivery('github', short, 60_000)).toBe(false);
    });

    it('lets exactly one of many concurrent claims win', async () => {
      const store = ctx.store();
      const id = randomUUID();
      const claims = await Promise.all(
        Array.from({ length: 20 }, () => store.claimWebhookDelivery('github', id, 60_000)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });
  });
}
