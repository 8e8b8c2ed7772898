import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLoki, parseLogQl, startFakeLoki } from '../../test/support/fake-loki.js';
import { isAetherError } from '../core/errors.js';
import type { LogRecord } from '../core/logs.js';
import { buildLogQl, logqlString } from './logql.js';
import { lokiPushBody } from './loki-push.js';
import { createLokiReader } from './loki-query.js';

describe('LogQL string literals', () => {
  it('escape quotes, backslashes and control characters', () => {
    expect(logqlString('plain')).toBe('"plain"');
    expect(logqlString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(logqlString('x\ny\tz\r\u0001')).toBe('"x\\ny\\tz\\r\\u0001"');
  });

  it('hold any text exactly, so input cannot break out of a literal', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const query = `{service="x"} |= ${logqlString(text)}`;
        const parsed = parseLogQl(query);
        expect(parsed.lineFilters).toEqual([{ op: '|=', text }]);
      }),
      { numRuns: 300 },
    );
  });

  it('build a query whose hostile input stays inside its strings', () => {
    const query = buildLogQl({
      project: 'p"} |= "x',
      vmId: 'vm"}',
      text: '"} or {service=~".*',
      minLevel: 'warn',
    });
    const parsed = parseLogQl(query);
    expect(parsed.matchers).toContainEqual({ label: 'project', op: '=', value: 'p"} |= "x' });
    expect(parsed.matchers).toContainEqual({ label: 'level', op: '=~', value: 'warn|error|fatal' });
    expect(parsed.lineFilters.map((f) => f.text)).toEqual(['"vm_id":"vm\\"}"', '\\"} or {service=~\\".*']);
  });
});

function record(overrides: Partial<LogRecord>): LogRecord {
  return {
    time: new Date(),
    level: 'info',
    service: 'worker',
    project: 'alpha',
    worker: 'w1',
    vmId: null,
    taskId: null,
    executionId: null,
    message: 'm',
    fields: {},
    ...overrides,
  };
}

describe('querying Loki', () => {
  let loki: FakeLoki;
  const t0 = Date.parse('2030-01-01T00:00:00Z');
  beforeAll(async () => {
    loki = await startFakeLoki();
    const body = lokiPushBody([
      record({ time: new Date(t0), vmId: 'vm-a', message: 'booting "quoted"', fields: { stream: 'stdout' } }),
      record({ time: new Date(t0 + 1), vmId: 'vm-a', level: 'error', message: 'exploded' }),
      record({ time: new Date(t0 + 2), vmId: 'vm-b', message: 'other vm', taskId: 't-b' }),
      record({ time: new Date(t0 + 3), vmId: 'vm-a', project: 'beta', message: 'beta line' }),
      record({ time: new Date(t0 + 4), project: null, message: 'platform line', executionId: 'e-1' }),
    ]);
    const res = await fetch(`${loki.url}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(204);
  });
  afterAll(async () => {
    await loki.close();
  });

  const reader = () => createLokiReader({ url: loki.url, tenant: 't', basicAuth: '', timeoutMs: 2000 });
  const range = { start: new Date(t0), end: new Date(t0 + 1000) };

  it('filters by labels and line, newest first or oldest first', async () => {
    const q = (filter: object, order: 'asc' | 'desc' = 'asc') =>
      reader()
        .query({ ...range, limit: 100, order, ...filter })
        .then((lines) => lines.map((l) => l.message));
    expect(await q({ vmId: 'vm-a' })).toEqual(['booting "quoted"', 'exploded', 'beta line']);
    expect(await q({ vmId: 'vm-a', project: 'alpha' })).toEqual(['booting "quoted"', 'exploded']);
    expect(await q({ project: 'alpha' }, 'desc')).toEqual(['other vm', 'exploded', 'booting "quoted"']);
    expect(await q({ minLevel: 'error' })).toEqual(['exploded']);
    expect(await q({ text: '"quoted"' })).toEqual(['booting "quoted"']);
    expect(await q({ taskId: 't-b' })).toEqual(['other vm']);
    expect(await q({ executionId: 'e-1' })).toEqual(['platform line']);
    expect(loki.lastHeaders['x-scope-orgid']).toBe('t');
  });

  it('gives lines back with their labels and fields', async () => {
    const [line] = await reader().query({ ...range, vmId: 'vm-a', limit: 1, order: 'asc' });
    expect(line).toMatchObject({
      time: new Date(t0),
      level: 'info',
      service: 'worker',
      project: 'alpha',
      worker: 'w1',
      vmId: 'vm-a',
      message: 'booting "quoted"',
      fields: { stream: 'stdout' },
    });
    expect(line!.id).toMatch(/^\d+:[0-9a-f]{12}$/);
  });

  it('honours the limit across streams', async () => {
    const lines = await reader().query({ ...range, limit: 2, order: 'desc' });
    expect(lines.map((l) => l.message)).toEqual(['platform line', 'beta line']);
  });

  it('is ERR_LOGS_UNAVAILABLE when Loki cannot answer', async () => {
    const gone = await startFakeLoki();
    await gone.close();
    const failed = await createLokiReader({ url: gone.url, tenant: '', basicAuth: '', timeoutMs: 500 })
      .query({ limit: 1, order: 'desc' })
      .catch((e: unknown) => e);
    expect(isAetherError(failed, 'ERR_LOGS_UNAVAILABLE')).toBe(true);
  });
});
