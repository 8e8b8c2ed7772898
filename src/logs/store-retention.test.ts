/**
 * The store's log table under a flood of command output, through the whole pipeline (batcher,
 * store sender, pruning, metrics) on PGlite and on PostgreSQL: output is cut to its own cap, the
 * platform's warnings stay, and the drop counter names the kind that went.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../test/support/backends.js';
import { throwawayDatabase } from '../../test/support/throwaway-database.js';
import { type LogRecord, OUTPUT_LOG_SOURCE } from '../core/logs.js';
import type { Store } from '../core/store.js';
import { createLogShippingMetrics } from '../metrics/log-metrics.js';
import { openPglite } from '../pglite/open-pglite.js';
import { migrate } from '../store/migrate.js';
import { createPgliteStore } from '../store/pglite/pglite-store.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { openLogShipping } from './shipping.js';

const postgres = await postgresAvailable();

const CAPS = { platform: 1000, output: 200 };
const FLOOD = 3000;

function line(message: string, overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    time: new Date(),
    level: 'info',
    service: 'up',
    project: null,
    worker: 'w-retention',
    vmId: null,
    taskId: null,
    executionId: null,
    message,
    fields: {},
    ...overrides,
  };
}

const output = (i: number) =>
  line(String(i), {
    project: 'default',
    vmId: 'vm-flood',
    executionId: 'exec-flood',
    fields: { stream: 'stdout', source: OUTPUT_LOG_SOURCE },
  });

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

async function floodKeepsWarnings(store: Store): Promise<void> {
  const registry = new Registry();
  const shipping = openLogShipping(
    {
      provider: 'local',
      batchSize: 100,
      intervalMs: 20,
      // Large enough that nothing is dropped before the store: the store's caps are under test.
      bufferLines: 100_000,
      bound: { maxRows: CAPS, maxAgeMs: 24 * 3_600_000 },
    },
    { store, report: () => {} },
  );
  shipping.observe(createLogShippingMetrics(registry, shipping.buffered));
  const metric = async (reason: string, kind: string) => {
    const text = await registry.metrics();
    const found = new RegExp(
      `^aether_log_lines_dropped_total\\{reason="${reason}",kind="${kind}"\\} (\\d+)`,
      'm',
    );
    return Number(found.exec(text)?.[1] ?? Number.NaN);
  };
  try {
    const warnings = [0, 1, 2].map((i) => line(`platform warning ${i}`, { level: 'warn' }));
    shipping.sink.write(warnings[0]!);
    for (let i = 1; i <= FLOOD; i++) {
      shipping.sink.write(output(i));
      if (i === FLOOD / 2) shipping.sink.write(warnings[1]!);
    }
    shipping.sink.write(warnings[2]!);

    const outputLeft = async () =>
      (await store.queryLogs({ executionId: 'exec-flood', limit: 1000, order: 'asc' })).map((l) => l.message);
    // Everything shipped, and pruned as it came: a prune follows every tenth of the cap written,
    // so the table holds at most the cap and the tenth written since.
    const bound = CAPS.output * 1.1;
    await until(async () => shipping.buffered() === 0 && (await outputLeft()).length <= bound);

    const kept = await store.queryLogs({ minLevel: 'warn', limit: 1000, order: 'asc' });
    expect(kept.map((l) => l.message)).toEqual(warnings.map((w) => w.message));
    expect((await outputLeft()).at(-1)).toBe(String(FLOOD));
    await until(async () => (await metric('store_full', 'output')) >= FLOOD - bound);
    for (const reason of ['buffer_full', 'rejected', 'store_full']) {
      expect(await metric(reason, 'platform'), reason).toBe(0);
    }
  } finally {
    await shipping.close();
  }
}

describe('stored logs under a flood of command output', () => {
  it('keep every platform warning on PGlite, and count the output dropped', async () => {
    const db = await openPglite('memory');
    await migrate({ pglite: db });
    const store = createPgliteStore(db);
    try {
      await floodKeepsWarnings(store);
    } finally {
      await store.close();
      await db.close();
    }
  }, 60_000);

  const database = throwawayDatabase('aether_log_retention');
  it.skipIf(!postgres)(
    `keep every platform warning on PostgreSQL, and count the output dropped (database ${database.name})`,
    async () => {
      await database.create();
      try {
        await migrate({ connectionString: database.url });
        const store = createPostgresStore({ connectionString: database.url });
        try {
          await floodKeepsWarnings(store);
        } finally {
          await store.close();
        }
      } finally {
        await database.drop();
      }
    },
    60_000,
  );
});
