/**
 * Two gateways' dispatchers over one PostgreSQL (two store clients, each with its own pool)
 * send every delivery once between them, and a delivery-time address check refuses what the
 * subscription-time check let through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Store } from '../../src/core/store.js';
import { AddressPolicy } from '../../src/service/outbound/address-policy.js';
import { dispatchDue } from '../../src/service/outbound/dispatcher.js';
import { migrate } from '../../src/store/migrate.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { postgresAvailable } from '../support/backends.js';
import { throwawayDatabase } from '../support/throwaway-database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const available = await postgresAvailable();
const database = throwawayDatabase('aether_hooks');
const SETTINGS = {
  timeoutMs: 2000,
  retryBaseMs: 50,
  retryMaxMs: 100,
  retryForMs: 60_000,
  pollIntervalMs: 50,
  batchSize: 4,
};

async function failVm(store: Store, project: string): Promise<void> {
  const vm = await store.insertVm({
    id: newId(),
    project,
    name: `hook-${newId().slice(0, 8)}`,
    driver: 'process',
    vcpus: 1,
    memoryMiB: 128,
    metadata: {},
  });
  await store.transitionVm(vm.id, { from: ['pending'], to: 'failed', reason: 'made to fail' });
}

describe.skipIf(!available)(`outbound webhook dispatchers on PostgreSQL (${database.name})`, () => {
  let a: Store;
  let b: Store;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    await database.create();
    await migrate({ connectionString: database.url });
    a = createPostgresStore({ connectionString: database.url });
    b = createPostgresStore({ connectionString: database.url });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await a?.close();
    await b?.close();
    await database.drop();
  });

  it('claim each delivery once between them', async () => {
    const sub = await a.insertWebhookSubscription({
      id: newId(),
      project: 'p',
      url: receiver.url,
      events: ['vm.failed'],
      secret: 'whsec_x',
      active: true,
    });
    for (let i = 0; i < 30; i++) await failVm(i % 2 ? a : b, 'p');
    const policy = new AddressPolicy({ allowPrivate: true, allowCidrs: [] });
    const [sentByA, sentByB] = await Promise.all([
      dispatchDue({ store: a, policy, logger: silentLogger }, SETTINGS),
      dispatchDue({ store: b, policy, logger: silentLogger }, SETTINGS),
    ]);
    expect(sentByA + sentByB).toBe(30);
    const ids = receiver.received.map((r) => r.headers['x-aether-delivery']);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    const deliveries = await a.listOutboundDeliveries(sub.id);
    expect(deliveries.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
  });

  it('refuses an internal address at delivery time, without a request', async () => {
    receiver.received.length = 0;
    // Recorded as if made while allowed (or before DNS changed); the dispatcher is not allowed.
    const literal = await a.insertWebhookSubscription({
      id: newId(),
      project: 'q',
      url: receiver.url,
      events: ['vm.failed'],
      secret: 'whsec_x',
      active: true,
    });
    const named = await a.insertWebhookSubscription({
      id: newId(),
      project: 'q',
      url: receiver.url.replace('127.0.0.1', 'localhost'),
      events: ['vm.failed'],
      secret: 'whsec_x',
      active: true,
    });
    await failVm(a, 'q');
    const policy = new AddressPolicy({ allowPrivate: false, allowCidrs: [] });
    await dispatchDue({ store: b, policy, logger: silentLogger }, SETTINGS);
    expect(receiver.received).toEqual([]);
    for (const sub of [literal, named]) {
      const [delivery] = await a.listOutboundDeliveries(sub.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
      expect(delivery?.lastError).toMatch(/address refused: .*loopback/);
    }
  });
});
