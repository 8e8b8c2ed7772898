/**
 * The Store conformance suite: the same cases against every implementation, on the real backend.
 * An implementation's test file calls `describeStoreConformance` with a factory that opens a
 * migrated store on a database of its own; the suite closes it and calls `teardown` at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import type { Store } from '../../../core/store.js';
import { describeAttemptCases } from './attempt-cases.js';
import { describeExecutionCases } from './execution-cases.js';
import {
  expectCode,
  newExecutionInput,
  newVmInput,
  type StoreFixture,
  type SuiteContext,
} from './fixtures.js';
import { describeLabelCases } from './label-cases.js';
import { describeLifetimeCases } from './lifetime-cases.js';
import { describeLogCases } from './log-cases.js';
import { describeNetworkLeaseCases } from './network-lease-cases.js';
import { describeOutboundWebhookCases } from './outbound-webhook-cases.js';
import { describeOutputCases } from './output-cases.js';
import { describePreviewCases } from './preview-cases.js';
import { describeRestartCases } from './restart-cases.js';
import { describeSessionCases } from './session-cases.js';
import { describeSnapshotCases } from './snapshot-cases.js';
import { describeTaskCases } from './task-cases.js';
import { describeTenancyCases } from './tenancy-cases.js';
import { describeToolCases } from './tool-cases.js';
import { describeTransitionCases } from './transition-cases.js';
import { describeVmCases } from './vm-cases.js';
import { describeWebhookDeliveryCases } from './webhook-delivery-cases.js';
import { describeWorkerCases } from './worker-cases.js';

export type { StoreFixture } from './fixtures.js';

export function describeStoreConformance(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`Store conformance: ${name}`, () => {
    let current: StoreFixture | undefined;
    const ctx: SuiteContext = {
      fixture: () => {
        if (!current) throw new Error('store fixture not created (did beforeAll fail?)');
        return current;
      },
      store: () => ctx.fixture().store,
    };

    beforeAll(async () => {
      current = await makeStore();
    });
    afterAll(async () => {
      try {
        await current?.store.close();
      } finally {
        await current?.teardown?.();
      }
    });

    it('answers ping', async () => {
      await expect(ctx.store().ping()).resolves.toBeUndefined();
    });

    describeVmCases(ctx);
    describeLifetimeCases(ctx);
    describeRestartCases(ctx);
    describeLabelCases(ctx);
    describeTransitionCases(ctx);
    describeTaskCases(ctx);
    describeExecutionCases(ctx);
    describeAttemptCases(ctx);
    describeOutputCases(ctx);
    describeWorkerCases(ctx);
    describeWebhookDeliveryCases(ctx);
    describeOutboundWebhookCases(ctx);
    describePreviewCases(ctx);
    describeSessionCases(ctx);
    describeTenancyCases(ctx);
    describeNetworkLeaseCases(ctx);
    describeSnapshotCases(ctx);
    describeToolCases(ctx);
    describeLogCases(ctx);
    describeJsonCases(ctx);

    // Last: these change the store's state for everything after them.
    describe('lifecycle', () => {
      it('treats a second migrate as a no-op that keeps the data', async () => {
        const { store, migrate } = ctx.fixture();
        const vm = await store.insertVm(newVmInput());
        await migrate();
        expect(await store.getVm(vm.id)).toEqual(vm);
      });

      it('fails every call with ERR_STORE_UNAVAILABLE once closed; closing twice is fine', async () => {
        const store = ctx.store();
        await store.close();
        await store.close();
        await expectCode(store.ping(), 'ERR_STORE_UNAVAILABLE');
        await expectCode(store.getVm(newId()), 'ERR_STORE_UNAVAILABLE');
      });
    });
  });
}

function describeJsonCases(ctx: SuiteContext): void {
  describe('JSON and timestamps', () => {
    it('round-trips metadata, args and env exactly', async () => {
      const store: Store = ctx.store();
      const metadata = {
        nested: { list: [1, 2.5, -3, true, null, 'x'], empty: {}, emptyList: [] },
        unicode: 'Grüße, 世界 🚀',
        quotes: `it's "quoted" \\ back\\slash`,
        big: Number.MAX_SAFE_INTEGER,
        nothing: null,
      };
      const vm = await store.insertVm(newVmInput({ metadata }));
      expect((await store.getVm(vm.id))?.metadata).toEqual(metadata);

      const args = ['--flag=value with spaces', '', "single'quote", '$(rm -rf /)', 'ünï'];
      const env = { PATH: '/usr/bin:/bin', EMPTY: '', EQUALS: 'a=b=c', JSON: '{"k":[1,2]}', NEWLINE: 'a\nb' };
      const execution = await store.insertExecution(newExecutionInput(vm.id, { args, env }));
      const read = await store.getExecution(execution.id);
      expect(read?.args).toEqual(args);
      expect(read?.env).toEqual(env);
    });

    it('returns every timestamp as a Date', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const moved = await store.transitionVm(
        vm.id,
        { from: ['pending'], to: 'creating', reason: 'go' },
        { startedAt: new Date(), stoppedAt: new Date() },
      );
      for (const value of [moved!.createdAt, moved!.updatedAt, moved!.startedAt, moved!.stoppedAt]) {
        expect(value).toBeInstanceOf(Date);
        expect(Number.isNaN(value!.getTime())).toBe(false);
      }
      const [change] = await store.listStateChanges(vm.id);
      expect(change?.at).toBeInstanceOf(Date);
    });

    it('keeps millisecond precision of timestamps it is given', async () => {
      const store = ctx.store();
      const vm = await store.insertVm(newVmInput());
      const at = new Date('2029-12-31T23:59:59.999Z');
      expect((await store.updateVm(vm.id, { stoppedAt: at }))?.stoppedAt?.toISOString()).toBe(
        at.toISOString(),
      );
    });
  });
}
