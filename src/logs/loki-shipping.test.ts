import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLoki, startFakeLoki } from '../../test/support/fake-loki.js';
import type { LogRecord } from '../core/logs.js';
import { createLogShippingMetrics } from '../metrics/log-metrics.js';
import { createLogBatcher, type LogBatcher, type LogBatcherSettings } from './batcher.js';
import { createLokiPusher, lokiLabels } from './loki-push.js';
import type { LokiSettings } from './loki-settings.js';

const FAST_BACKOFF = { initialMs: 20, maxMs: 100 };

function record(i: number, overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    time: new Date(),
    level: 'info',
    service: 'worker',
    project: 'alpha',
    worker: 'w1',
    vmId: `vm-${i}`,
    taskId: `task-${i}`,
    executionId: `exec-${i}`,
    message: `line ${i}`,
    fields: { i },
    ...overrides,
  };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('shipping to Loki', () => {
  let loki: FakeLoki;
  let batcher: LogBatcher | undefined;
  let registry: Registry;
  const open = (settings: Partial<LogBatcherSettings> = {}, url?: string) => {
    const loki_: LokiSettings = { url: url ?? loki.url, tenant: '', basicAuth: '', timeoutMs: 500 };
    batcher = createLogBatcher(createLokiPusher(loki_), {
      batchSize: 10,
      intervalMs: 60_000,
      bufferLines: 1000,
      backoff: FAST_BACKOFF,
      ...settings,
    });
    registry = new Registry();
    batcher.observe(createLogShippingMetrics(registry, batcher.buffered));
    return batcher;
  };
  const metric = async (name: string) => {
    const text = await registry.metrics();
    return Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  };

  beforeEach(async () => {
    loki = await startFakeLoki();
  });
  afterEach(async () => {
    loki.hang = false;
    await batcher?.close(200);
    batcher = undefined;
    await loki.close();
  });

  it('sends a batch as soon as it is full, and the rest when its time comes', async () => {
    const b = open({ batchSize: 10, intervalMs: 2500 });
    const started = Date.now();
    for (let i = 0; i < 25; i++) b.write(record(i));
    // Full batches do not wait for the interval; the 5 left over do.
    await until(() => loki.pushes.length >= 2 && b.buffered() === 5);
    expect(loki.pushes.map((p) => p.streams.reduce((n, s) => n + s.values.length, 0))).toEqual([10, 10]);
    await until(() => loki.entries.length === 25);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    expect(loki.entries.map((e) => JSON.parse(e.line).msg)).toEqual(
      Array.from({ length: 25 }, (_, i) => `line ${i}`),
    );
    // Lines count as shipped once Loki's answer is back, a moment after the fake has them.
    await until(async () => (await metric('aether_log_lines_shipped_total')) === 25);
  });

  it('sends a partial batch after the interval', async () => {
    const b = open({ batchSize: 100, intervalMs: 800 });
    b.write(record(1));
    b.write(record(2));
    await sleep(100);
    expect(loki.pushes).toHaveLength(0);
    await until(() => loki.pushes.length === 1);
    expect(loki.entries).toHaveLength(2);
  });

  for (const status of [500, 503, 429]) {
    it(`retries with backoff when Loki answers ${status}, in order, losing nothing`, async () => {
      loki.failPushes(3, status);
      const b = open({ batchSize: 5 });
      for (let i = 0; i < 5; i++) b.write(record(i));
      await until(() => loki.entries.length === 5);
      expect(loki.attempts).toBe(4);
      expect(await metric('aether_log_delivery_retries_total')).toBe(3);
      expect(loki.entries.map((e) => JSON.parse(e.line).msg)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `line ${i}`),
      );
    });
  }

  it('backs off exponentially between attempts', async () => {
    loki.failPushes(1000, 500);
    const b = open({ batchSize: 1, backoff: { initialMs: 40, maxMs: 10_000 } });
    b.write(record(0));
    const started = Date.now();
    await until(() => loki.attempts >= 5, 10_000);
    // 4 waits of at least half of 40, 80, 160, 320 ms: 300 ms; without backoff it would be ~0.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('drops a batch Loki refuses (400) instead of retrying it, and counts it', async () => {
    loki.failPushes(1, 400);
    const b = open({ batchSize: 2 });
    b.write(record(0));
    b.write(record(1));
    b.write(record(2));
    b.write(record(3));
    await until(() => loki.entries.length === 2);
    expect(await metric('aether_log_lines_dropped_total{reason="rejected",kind="platform"}')).toBe(2);
  });

  it('keeps retrying while Loki is down, without throwing', async () => {
    const down = await startFakeLoki();
    await down.close();
    const b = open({ batchSize: 2 }, down.url);
    for (let i = 0; i < 6; i++) b.write(record(i));
    await until(() => Number.isFinite(b.buffered()) && b.buffered() === 6);
    await sleep(300);
    expect(await metric('aether_log_delivery_retries_total')).toBeGreaterThanOrEqual(2);
    expect(await metric('aether_log_lines_buffered')).toBe(6);
  });

  it('bounds its buffer while Loki hangs, dropping the oldest and counting them', async () => {
    loki.hang = true;
    const b = open({ batchSize: 10, bufferLines: 50 });
    for (let i = 0; i < 200; i++) b.write(record(i));
    expect(b.buffered()).toBe(50);
    expect(await metric('aether_log_lines_dropped_total{reason="buffer_full",kind="platform"}')).toBe(150);
  });

  it("drops command output first when its buffer overflows, keeping the platform's lines", async () => {
    loki.hang = true;
    const b = open({ batchSize: 10, bufferLines: 50 });
    const warning = (i: number) => record(i, { level: 'warn', project: null, message: `warning ${i}` });
    const output = (i: number) =>
      record(i, { message: `out ${i}`, fields: { stream: 'stdout', source: 'output' } });
    b.write(warning(0));
    for (let i = 0; i < 100; i++) b.write(output(i));
    b.write(warning(1));
    for (let i = 100; i < 200; i++) b.write(output(i));
    b.write(warning(2));
    expect(b.buffered()).toBe(50);
    loki.hang = false;
    await until(() => loki.entries.some((e) => JSON.parse(e.line).msg === 'warning 2'), 10_000);
    const shipped = loki.entries.map((e) => JSON.parse(e.line).msg as string);
    // The three warnings survive, in their places among the newest output.
    expect(shipped.filter((m) => m.startsWith('warning'))).toEqual(['warning 0', 'warning 1', 'warning 2']);
    expect(shipped.at(-1)).toBe('warning 2');
    expect(await metric('aether_log_lines_dropped_total{reason="buffer_full",kind="platform"}')).toBe(0);
    expect(await metric('aether_log_lines_dropped_total{reason="buffer_full",kind="output"}')).toBe(
      200 + 3 - 50,
    );
    expect(loki.entries.find((e) => e.labels.kind === 'platform')).toBeDefined();
    expect(loki.entries.find((e) => e.labels.kind === 'output')).toBeDefined();
  });

  it('keeps a log call fast while Loki hangs', async () => {
    loki.hang = true;
    const b = open({ batchSize: 100, bufferLines: 10_000 });
    const n = 20_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) b.write(record(i));
    const perCallUs = ((performance.now() - started) * 1000) / n;
    // Measured well under 1 µs a call; a write that waited on the network would take ms.
    expect(perCallUs).toBeLessThan(50);
    expect(b.buffered()).toBe(10_000);
    await until(() => loki.attempts >= 1);
  });

  it('labels lines only with bounded fields; ids stay in the line', async () => {
    const b = open({ batchSize: 3 });
    for (let i = 0; i < 3; i++) b.write(record(i, { level: i === 0 ? 'error' : 'info' }));
    await until(() => loki.entries.length === 3);
    for (const entry of loki.entries) {
      expect(Object.keys(entry.labels).sort()).toEqual(['kind', 'level', 'project', 'service', 'worker']);
      const line = JSON.parse(entry.line) as Record<string, unknown>;
      expect(line).toMatchObject({ vm_id: expect.stringMatching(/^vm-/), execution_id: expect.any(String) });
    }
    // One stream per label set, not one per VM.
    expect(loki.pushes[0]!.streams).toHaveLength(2);
    expect(Object.keys(lokiLabels(record(0, { project: null, worker: null })))).toEqual([
      'service',
      'level',
      'kind',
    ]);
  });

  it('sends the tenant and basic auth headers', async () => {
    batcher = createLogBatcher(
      createLokiPusher({ url: loki.url, tenant: 'team-a', basicAuth: 'user:pa:ss', timeoutMs: 500 }),
      { batchSize: 1, intervalMs: 1000, bufferLines: 10 },
    );
    batcher.write(record(0));
    await until(() => loki.entries.length === 1);
    expect(loki.lastHeaders['x-scope-orgid']).toBe('team-a');
    expect(loki.lastHeaders.authorization).toBe(`Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
  });

  it('ships what is left on close', async () => {
    const b = open({ batchSize: 100 });
    for (let i = 0; i < 7; i++) b.write(record(i));
    await b.close();
    expect(loki.entries).toHaveLength(7);
    b.write(record(8));
    expect(b.buffered()).toBe(0);
  });
});
