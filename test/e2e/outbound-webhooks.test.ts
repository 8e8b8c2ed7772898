/**
 * Outbound webhooks end to end: a real node (embedded store), a real HTTP receiver on
 * 127.0.0.1, events made by real state changes. The main node allows only 127.0.0.1/32
 * (webhooks.allow_cidrs), so the same node proves that every other internal address is refused;
 * the restart case allows private addresses outright (webhooks.allow_private).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { rmSync } from 'node:fs';
import { AetherApiError, AetherClient } from '@aetherium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { Store } from '../../src/core/store.js';
import { verifyWebhook } from '../../src/core/webhook-signature.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { isRoot, sandboxesAvailable } from '../support/sandboxes.js';
import { eventually, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const canRun = await sandboxesAvailable('outbound webhooks');

const FAST = {
  AETHER_WEBHOOKS_POLL_INTERVAL_MS: '50',
  AETHER_WEBHOOKS_RETRY_BASE_MS: '100',
  AETHER_WEBHOOKS_RETRY_MAX_MS: '400',
  AETHER_WEBHOOKS_TIMEOUT_MS: '2000',
};

/** A VM record of `project` that fails at once: one `vm.failed` event, made by a real transition. */
async function failVm(store: Store, project: string): Promise<string> {
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
  return vm.id;
}

async function expectApiError(call: Promise<unknown>, status: number, code: string): Promise<AetherApiError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AetherApiError);
  expect(error).toMatchObject({ status, code });
  return error as AetherApiError;
}

/** The check a receiver runs, written out as docs/webhooks.md shows it. */
function documentedVerify(secret: string, headers: Record<string, unknown>, body: string): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(`${headers['x-aether-timestamp']}.${body}`).digest('hex')}`;
  const given = String(headers['x-aether-signature']);
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

describe.skipIf(!canRun)('outbound webhooks', () => {
  let node: TestNode;
  let admin: AetherClient;
  let store: Store;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    node = await startTestNode({ ...FAST, AETHER_WEBHOOKS_ALLOW_CIDRS: '127.0.0.1/32' });
    admin = node.client;
    store = node.node.backends.store;
    receiver = await startWebhookReceiver();
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await node?.stop();
  });

  it('delivers a real VM event, signed so that the receiver can verify it', async () => {
    receiver.received.length = 0;
    receiver.answer = () => 200;
    const { webhook, secret } = await admin.createWebhook({ url: receiver.url, events: ['vm.*'] });
    expect(secret).toMatch(/^whsec_/);
    expect(webhook).toMatchObject({ url: receiver.url, events: ['vm.*'], active: true, project: 'default' });
    expect(JSON.stringify(await admin.listWebhooks())).not.toContain(secret);
    try {
      const { vm } = await admin.createVm({ name: `hooked-${newId().slice(0, 6)}` }, { wait: true });
      const created = await eventually(
        async () => receiver.received.find((r) => r.headers['x-aether-event'] === 'vm.created'),
        15_000,
        'vm.created at the receiver',
      );
      const body = JSON.parse(created.body) as {
        id: string;
        event: string;
        data: { vmId: string; status: string };
      };
      expect(body).toMatchObject({ event: 'vm.created', data: { vmId: vm.id, status: 'running' } });
      expect(created.headers['x-aether-delivery']).toBe(body.id);
      expect(created.headers['content-type']).toBe('application/json');
      const headers = {
        timestamp: String(created.headers['x-aether-timestamp']),
        signature: String(created.headers['x-aether-signature']),
      };
      expect(verifyWebhook(secret, headers, created.body)).toBe(true);
      expect(documentedVerify(secret, created.headers, created.body)).toBe(true);
      expect(verifyWebhook('whsec_wrong', headers, created.body)).toBe(false);
      expect(verifyWebhook(secret, headers, created.body.replace('running', 'stopped'))).toBe(false);

      const deliveries = await eventually(async () => {
        const list = await admin.listWebhookDeliveries(webhook.id);
        const done = list.find((d) => d.id === body.id);
        return done?.status === 'delivered' ? list : undefined;
      });
      expect(deliveries.find((d) => d.id === body.id)).toMatchObject({
        event: 'vm.created',
        attempts: 1,
        last_status_code: 200,
        last_error: null,
        next_attempt_at: null,
      });
    } finally {
      await admin.deleteWebhook(webhook.id);
    }
  }, 60_000);

  // Pausing a process-driver VM takes its cgroups, which a root worker has.
  it.skipIf(!isRoot)(
    'names each VM milestone once: created on the first run only, then paused, resumed, stopped, started',
    async () => {
      receiver.received.length = 0;
      receiver.answer = () => 200;
      const milestones = ['vm.created', 'vm.started', 'vm.stopped', 'vm.paused', 'vm.resumed'] as const;
      const { webhook } = await admin.createWebhook({ url: receiver.url, events: [...milestones] });
      try {
        const name = `cycled-${newId().slice(0, 6)}`;
        await admin.createVm({ name }, { wait: true });
        await admin.pauseVm(name, { wait: true });
        await admin.resumeVm(name, { wait: true });
        await admin.stopVm(name, { wait: true });
        await admin.startVm(name, { wait: true });
        const seen = () => receiver.received.map((r) => String(r.headers['x-aether-event']));
        await eventually(async () => (seen().length >= 5 ? true : undefined), 15_000, 'five milestones');
        // Deliveries may arrive out of order: their set, each once, is what the store promised.
        expect([...seen()].sort()).toEqual([...milestones].sort());
        await admin.deleteVm(name, { wait: true });
      } finally {
        await admin.deleteWebhook(webhook.id);
      }
    },
    60_000,
  );

  it('retries a refused connection and 500s with the same delivery id, then delivers', async () => {
    receiver.received.length = 0;
    receiver.answer = (n) => (n === 1 ? 500 : 200);
    const { webhook } = await admin.createWebhook({ url: receiver.url, events: ['vm.failed'] });
    try {
      await receiver.close();
      await failVm(store, 'default');
      const refused = await eventually(async () => {
        const [delivery] = await admin.listWebhookDeliveries(webhook.id);
        return delivery && delivery.attempts >= 1 && delivery.last_error ? delivery : undefined;
      });
      expect(refused).toMatchObject({ status: 'pending', last_status_code: null });
      expect(refused.last_error).toContain('ECONNREFUSED');
      expect(refused.next_attempt_at).not.toBeNull();

      await receiver.listen();
      const done = await eventually(async () => {
        const [delivery] = await admin.listWebhookDeliveries(webhook.id);
        return delivery?.status === 'delivered' ? delivery : undefined;
      });
      expect(done.attempts).toBeGreaterThanOrEqual(3);
      expect(done.last_status_code).toBe(200);
      expect(receiver.received.map((r) => r.answered)).toEqual([500, 200]);
      expect(new Set(receiver.received.map((r) => r.headers['x-aether-delivery']))).toEqual(
        new Set([done.id]),
      );
    } finally {
      await receiver.listen().catch(() => {});
      await admin.deleteWebhook(webhook.id);
    }
  }, 60_000);

  it('fails at once on a 4xx other than 429, and redelivers as a new delivery', async () => {
    receiver.received.length = 0;
    receiver.answer = (n) => (n === 1 ? 410 : 200);
    const { webhook } = await admin.createWebhook({ url: receiver.url, events: ['vm.failed'] });
    try {
      await failVm(store, 'default');
      const failed = await eventually(async () => {
        const [delivery] = await admin.listWebhookDeliveries(webhook.id);
        return delivery?.status === 'failed' ? delivery : undefined;
      });
      expect(failed).toMatchObject({ attempts: 1, last_status_code: 410, next_attempt_at: null });
      expect(failed.last_error).toContain('410');

      const again = await admin.redeliverWebhook(webhook.id, failed.id);
      expect(again).toMatchObject({ status: 'pending', redelivery_of: failed.id, event: 'vm.failed' });
      expect(again.id).not.toBe(failed.id);
      await eventually(async () => {
        const list = await admin.listWebhookDeliveries(webhook.id);
        return list.find((d) => d.id === again.id && d.status === 'delivered');
      });
      expect(receiver.received.map((r) => r.headers['x-aether-delivery'])).toEqual([failed.id, again.id]);
      await expectApiError(
        admin.redeliverWebhook(webhook.id, newId()),
        404,
        'ERR_WEBHOOK_DELIVERY_NOT_FOUND',
      );
    } finally {
      await admin.deleteWebhook(webhook.id);
    }
  }, 60_000);

  it('refuses URLs that reach internal addresses not allowed, with a code saying so', async () => {
    for (const url of [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/hook',
      'http://[::ffff:127.0.0.2]/hook',
      'http://127.0.0.2/hook',
      'http://0.0.0.0/hook',
      'http://100.64.0.1/hook',
      'http://[fd00::1]/hook',
    ]) {
      const error = await expectApiError(
        admin.createWebhook({ url, events: ['*'] }),
        400,
        'ERR_WEBHOOK_URL_REFUSED',
      );
      expect(error.message).toMatch(/resolves to .*address.*webhooks\.allow_private/);
    }
    await expectApiError(
      admin.createWebhook({ url: 'ftp://example.com/x', events: ['*'] }),
      400,
      'ERR_WEBHOOK_URL_REFUSED',
    );
    await expectApiError(
      admin.createWebhook({ url: 'not a url', events: ['*'] }),
      400,
      'ERR_WEBHOOK_URL_REFUSED',
    );
    await expectApiError(
      admin.createWebhook({ url: 'http://user:pw@127.0.0.1/hook', events: ['*'] }),
      400,
      'ERR_WEBHOOK_URL_REFUSED',
    );
  });

  it('answers bad input with 400 ERR_VALIDATION naming what to fix', async () => {
    const bogus = await expectApiError(
      admin.createWebhook({ url: receiver.url, events: ['vm.bogus'] }),
      400,
      'ERR_VALIDATION',
    );
    expect(bogus.message).toContain('vm.created');
    await expectApiError(admin.createWebhook({ url: receiver.url, events: [] }), 400, 'ERR_VALIDATION');
    await expectApiError(
      admin.createWebhook({ url: receiver.url, events: ['worker.*'] }),
      400,
      'ERR_VALIDATION',
    );
    await expectApiError(
      admin.createWebhook({ url: receiver.url, events: ['execution.output'] }),
      400,
      'ERR_VALIDATION',
    );
    await expectApiError(admin.deleteWebhook('nope'), 400, 'ERR_VALIDATION');
    await expectApiError(admin.deleteWebhook(newId()), 404, 'ERR_WEBHOOK_NOT_FOUND');
  });

  it("keeps a project's subscriptions from every other project (404, as missing)", async () => {
    const aliceKey = (await admin.createKey({ name: 'alice', project: 'alice' })).secret;
    const bobKey = (await admin.createKey({ name: 'bob', project: 'bob' })).secret;
    const asAlice = new AetherClient({ baseUrl: node.url, token: aliceKey });
    const asBob = new AetherClient({ baseUrl: node.url, token: bobKey });
    const { webhook } = await asAlice.createWebhook({ url: receiver.url, events: ['task.*'] });
    expect(webhook.project).toBe('alice');
    expect((await asBob.listWebhooks()).map((w) => w.id)).not.toContain(webhook.id);
    await expectApiError(asBob.deleteWebhook(webhook.id), 404, 'ERR_WEBHOOK_NOT_FOUND');
    await expectApiError(asBob.listWebhookDeliveries(webhook.id), 404, 'ERR_WEBHOOK_NOT_FOUND');
    await expectApiError(asBob.redeliverWebhook(webhook.id, newId()), 404, 'ERR_WEBHOOK_NOT_FOUND');
    // Bob's events never reach Alice's subscription.
    await failVm(store, 'bob');
    expect(await asAlice.listWebhookDeliveries(webhook.id)).toEqual([]);
    // An admin sees every project's; Alice still deletes her own.
    expect((await admin.listWebhooks()).map((w) => w.id)).toContain(webhook.id);
    expect((await asAlice.listWebhooks()).map((w) => w.id)).toEqual([webhook.id]);
    await asAlice.deleteWebhook(webhook.id);
    expect(await asAlice.listWebhooks()).toEqual([]);
  });
});

describe.skipIf(!canRun)('aether webhook', () => {
  it('creates, lists, shows deliveries, redelivers and removes, with JSON when piped', async () => {
    const node = await startTestNode({ ...FAST, AETHER_WEBHOOKS_ALLOW_PRIVATE: 'true' });
    const receiver = await startWebhookReceiver();
    try {
      const created = await runCli(node.url, [
        'webhook',
        'create',
        '--url',
        receiver.url,
        '--event',
        'vm.*',
        '--event',
        'task.failed',
        '--json',
      ]);
      expect(created.code, created.stderr).toBe(0);
      const { webhook, secret } = JSON.parse(created.stdout) as { webhook: { id: string }; secret: string };
      expect(secret).toMatch(/^whsec_/);
      const listed = await runCli(node.url, ['webhook', 'ls']);
      expect(JSON.parse(listed.stdout)).toMatchObject([{ id: webhook.id, events: ['vm.*', 'task.failed'] }]);
      expect(listed.stdout).not.toContain(secret);

      await failVm(node.node.backends.store, 'default');
      const delivered = await eventually(async () => {
        const out = await runCli(node.url, ['webhook', 'deliveries', webhook.id]);
        const list = JSON.parse(out.stdout) as { id: string; event: string; status: string }[];
        const failed = list.find((d) => d.event === 'vm.failed');
        return failed?.status === 'delivered' ? failed : undefined;
      });
      const again = await runCli(node.url, ['webhook', 'redeliver', webhook.id, delivered.id]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(`a redelivery of ${delivered.id}`);
      const bad = await runCli(node.url, ['webhook', 'create', '--url', receiver.url, '--event', 'vm.nope']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('ERR_VALIDATION');
      const removed = await runCli(node.url, ['webhook', 'rm', webhook.id]);
      expect(removed.code, removed.stderr).toBe(0);
      expect(JSON.parse((await runCli(node.url, ['webhook', 'ls', '--json'])).stdout)).toEqual([]);
    } finally {
      await receiver.close();
      await node.stop();
    }
  }, 90_000);
});

describe.skipIf(!canRun)('outbound webhooks across a gateway restart', () => {
  it('delivers what was pending when the node stopped, exactly once', async () => {
    const receiver = await startWebhookReceiver((n) => (n === 1 ? 503 : 200));
    const env = { ...FAST, AETHER_WEBHOOKS_ALLOW_PRIVATE: 'true', AETHER_WEBHOOKS_RETRY_BASE_MS: '1500' };
    const first = await startTestNode(env);
    const dataDir = first.dataDir;
    let second: TestNode | null = null;
    try {
      const { webhook } = await first.client.createWebhook({ url: receiver.url, events: ['vm.failed'] });
      await failVm(first.node.backends.store, 'default');
      const [pending] = await eventually(async () => {
        const list = await first.client.listWebhookDeliveries(webhook.id);
        return list[0]?.last_status_code === 503 ? list : undefined;
      });
      expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
      // Stop the node only: the delivery stays pending in the store.
      await first.node.close();

      second = await startTestNode(env, dataDir);
      const done = await eventually(async () => {
        const list = await second!.client.listWebhookDeliveries(webhook.id);
        return list[0]?.status === 'delivered' ? list : undefined;
      });
      expect(done).toHaveLength(1);
      expect(done[0]).toMatchObject({ id: pending!.id, attempts: 2, last_status_code: 200 });
      // Given time for a duplicate to show, none does.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.received.map((r) => [r.headers['x-aether-delivery'], r.answered])).toEqual([
        [pending!.id, 503],
        [pending!.id, 200],
      ]);
    } finally {
      await receiver.close();
      if (second) await second.stop();
      else rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
