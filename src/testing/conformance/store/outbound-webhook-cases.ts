import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import type { OutboundDelivery } from '../../../core/outbound-webhooks.js';
import type { Store } from '../../../core/store.js';
import { newExecutionInput, newVmInput, outcome, type SuiteContext } from './fixtures.js';

const project = () => `hooks-${randomUUID().slice(0, 8)}`;

async function subscribe(store: Store, project: string, events: string[], active = true) {
  return store.insertWebhookSubscription({
    id: newId(),
    project,
    url: 'https://example.com/hook',
    events,
    secret: 'whsec_test',
    active,
  });
}

/** A VM of `project` moved pending → creating → running: two changes, the second a milestone. */
async function runVm(store: Store, project: string) {
  const vm = await store.insertVm(newVmInput({ project }));
  await store.transitionVm(vm.id, { from: ['pending'], to: 'creating', reason: 'create started' });
  await store.transitionVm(vm.id, { from: ['creating'], to: 'running', reason: 'agent answered' });
  return vm;
}

const events = (deliveries: OutboundDelivery[]) => deliveries.map((d) => d.event).sort();

export function describeOutboundWebhookCases(ctx: SuiteContext): void {
  describe('outbound webhooks', () => {
    it('writes a delivery per matching subscription in the statement that changes the status', async () => {
      const store = ctx.store();
      const mine = project();
      const all = await subscribe(store, mine, ['vm.*']);
      const created = await subscribe(store, mine, ['vm.created', 'task.failed']);
      const paused = await subscribe(store, mine, ['*'], false);
      const other = await subscribe(store, project(), ['*']);
      const vm = await runVm(store, mine);

      const deliveries = await store.listOutboundDeliveries(all.id);
      expect(events(deliveries)).toEqual(['vm.created', 'vm.status', 'vm.status']);
      expect(deliveries.find((d) => d.event === 'vm.created')).toMatchObject({
        project: mine,
        status: 'pending',
        attempts: 0,
        payload: { vmId: vm.id, status: 'running', reason: 'agent answered' },
      });
      expect(events(await store.listOutboundDeliveries(created.id))).toEqual(['vm.created']);
      expect(await store.listOutboundDeliveries(paused.id)).toEqual([]);
      expect(await store.listOutboundDeliveries(other.id)).toEqual([]);
    });

    it('names task milestones and completed executions as the event bus does', async () => {
      const store = ctx.store();
      const mine = project();
      const sub = await subscribe(store, mine, ['task.failed', 'execution.*', 'vm.lost']);
      const vm = await store.insertVm(newVmInput({ project: mine }));
      const execution = newExecutionInput(vm.id, { project: mine });
      await store.insertExecution(execution);
      await store.completeExecution(execution.id, outcome({ exitCode: 3 }));
      await store.transitionVm(
        vm.id,
        { from: ['pending'], to: 'lost', reason: 'worker died' },
        { workerId: 'w9' },
      );
      const deliveries = await store.listOutboundDeliveries(sub.id);
      expect(events(deliveries)).toEqual(['execution.completed', 'vm.lost']);
      expect(deliveries.find((d) => d.event === 'execution.completed')?.payload).toEqual({
        executionId: execution.id,
        taskId: null,
        exitCode: 3,
      });
      expect(deliveries.find((d) => d.event === 'vm.lost')?.payload).toMatchObject({
        status: 'lost',
        workerId: 'w9',
      });
    });

    it('lets one claim take a due delivery, and takes it again with the same id when the claim lapses', async () => {
      const store = ctx.store();
      const mine = project();
      const sub = await subscribe(store, mine, ['vm.created']);
      await runVm(store, mine);
      const [pending] = await store.listOutboundDeliveries(sub.id);
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => store.claimOutboundDeliveries(50, 60_000)),
      );
      const mineClaimed = claims.flat().filter((c) => c.delivery.id === pending!.id);
      expect(mineClaimed).toHaveLength(1);
      expect(mineClaimed[0]!.delivery.attempts).toBe(1);
      expect(mineClaimed[0]!.subscription.secret).toBe('whsec_test');

      // A claim whose lease is over (its dispatcher died) is due again: attempt 2, same id.
      expect(
        await store.settleOutboundDelivery(pending!.id, 1, {
          kind: 'retry',
          statusCode: 503,
          error: 'x',
          delayMs: 0,
          retryForMs: 60_000,
        }),
      ).not.toBeNull();
      const lapsed = (await store.claimOutboundDeliveries(50, 1)).filter(
        (c) => c.delivery.id === pending!.id,
      );
      expect(lapsed.map((c) => c.delivery.attempts)).toEqual([2]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const again = (await store.claimOutboundDeliveries(50, 60_000)).filter(
        (c) => c.delivery.id === pending!.id,
      );
      expect(again.map((c) => c.delivery.attempts)).toEqual([3]);
      // The lapsed claim's late answer changes nothing; the current one settles.
      expect(
        await store.settleOutboundDelivery(pending!.id, 2, { kind: 'delivered', statusCode: 200 }),
      ).toBeNull();
      const done = await store.settleOutboundDelivery(pending!.id, 3, { kind: 'delivered', statusCode: 204 });
      expect(done).toMatchObject({ status: 'delivered', lastStatusCode: 204, lastError: null });
      expect(done?.deliveredAt).toBeInstanceOf(Date);
    });

    it('fails a delivery whose next retry would fall past its retry window', async () => {
      const store = ctx.store();
      const mine = project();
      const sub = await subscribe(store, mine, ['vm.created']);
      await runVm(store, mine);
      const [pending] = await store.listOutboundDeliveries(sub.id);
      await store.claimOutboundDeliveries(50, 60_000);
      const settled = await store.settleOutboundDelivery(pending!.id, 1, {
        kind: 'retry',
        statusCode: null,
        error: 'ECONNREFUSED',
        delayMs: 120_000,
        retryForMs: 60_000,
      });
      expect(settled).toMatchObject({ status: 'failed', lastStatusCode: null, lastError: 'ECONNREFUSED' });
    });

    it('redelivers as a new delivery, and deletes deliveries with their subscription', async () => {
      const store = ctx.store();
      const mine = project();
      const sub = await subscribe(store, mine, ['vm.created']);
      await runVm(store, mine);
      const [original] = await store.listOutboundDeliveries(sub.id);
      const again = await store.redeliverOutbound(original!.id, newId());
      expect(again).toMatchObject({
        event: 'vm.created',
        status: 'pending',
        attempts: 0,
        redeliveryOf: original!.id,
      });
      expect(again!.id).not.toBe(original!.id);
      expect(again!.payload).toEqual(original!.payload);
      expect(await store.listWebhookSubscriptions(mine)).toHaveLength(1);
      expect(await store.deleteWebhookSubscription(sub.id)).toBe(true);
      expect(await store.deleteWebhookSubscription(sub.id)).toBe(false);
      expect(await store.getOutboundDelivery(original!.id)).toBeNull();
      expect(await store.getWebhookSubscription('not-a-uuid')).toBeNull();
    });
  });
}
