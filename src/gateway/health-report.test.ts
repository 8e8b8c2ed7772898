import { describe, expect, it } from 'vitest';
import type { ReadinessReport } from './context.js';
import { createHealthReporter } from './health-report.js';

const healthy = { ok: true, message: 'pglite', latency_ms: 1 };

describe('the /health report', () => {
  it('names components as the original did, and is degraded when any is unhealthy', async () => {
    const report = createHealthReporter({
      check: async () => ({
        ok: false,
        components: {
          store: healthy,
          events: { ok: true, message: 'ok' },
          workers: { ok: false, message: 'none' },
        },
      }),
      integrations: () => ({ github: { ok: true, message: 'token auth' } }),
      version: 't',
    });
    expect(await report()).toMatchObject({
      status: 'degraded',
      version: 't',
      components: { store: 'healthy', event_bus: 'healthy', workers: 'unhealthy', github: 'healthy' },
      checks: {
        store: { status: 'healthy', detail: 'pglite', latency_ms: 1 },
        workers: { status: 'unhealthy', detail: 'none' },
      },
      integrations: { github: { ok: true, message: 'token auth' } },
    });
  });

  it('shares one round of checks among concurrent calls and reuses it for its age', async () => {
    let rounds = 0;
    let clock = 0;
    const report = createHealthReporter(
      {
        check: async (): Promise<ReadinessReport> => {
          rounds++;
          return { ok: true, components: { store: healthy } };
        },
        integrations: () => ({}),
        version: 't',
      },
      1000,
      () => clock,
    );
    const answers = await Promise.all([report(), report(), report()]);
    expect(rounds).toBe(1);
    expect(answers.every((a) => a.status === 'ok')).toBe(true);
    clock = 999;
    await report();
    expect(rounds).toBe(1);
    clock = 1000;
    await report();
    expect(rounds).toBe(2);
  });

  it('reports a check that throws as unhealthy rather than failing', async () => {
    const report = createHealthReporter({
      check: async () => {
        throw new Error('boom');
      },
      integrations: () => ({}),
      version: 't',
    });
    expect(await report()).toMatchObject({
      status: 'degraded',
      checks: { checks: { status: 'unhealthy', detail: 'boom' } },
    });
  });
});
