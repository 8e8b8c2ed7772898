import net, { type AddressInfo } from 'node:net';
import { AetherClient } from '@aetherium/sdk';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { driverQueueName, SHARED_QUEUE, workerQueueName } from '../../src/core/queue.js';
import { loadConfig } from '../../src/runtime/config.js';
import type { RunningNode } from '../../src/runtime/node.js';
import { serveNodeMetrics } from '../../src/runtime/node-metrics.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { startRoleNode } from '../support/gateway-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('health and metrics');
/** A node opens an embedded database: seconds alone, far longer on a loaded 2-core machine. */
const NODE_START_MS = 180_000;

/** One sample per line: `name{a="x",b="y"} value`, keyed by name and its labels sorted by name. */
type Samples = Map<string, number>;

function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return `${name}{${sorted.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

function parseExposition(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!;
    }
    samples.set(sampleKey(match[1]!, labels), Number(match[3]));
  }
  return samples;
}

async function scrape(url: string, token?: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function metricsOf(node: RunningNode): Promise<Samples> {
  const { status, type, text } = await scrape(`${node.url}/metrics`, node.localAdminKey ?? undefined);
  expect(status, text).toBe(200);
  expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(text);
}

describe.skipIf(!canRun)('aether up: liveness, readiness and /metrics of gateway and worker', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode({ AETHER_HEARTBEAT_INTERVAL_MS: '100', AETHER_WORKER_ID: 'w-up' });
  }, NODE_START_MS);
  afterAll(async () => {
    await t?.stop();
  });

  it('answers /health and /ready without credentials, each component ok', async () => {
    const health = await fetch(`${t.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      components: { store: 'healthy', queue: 'healthy', event_bus: 'healthy', workers: 'healthy' },
    });

    const ready = await fetch(`${t.url}/api/v1/ready`);
    const body = (await ready.json()) as { status: string; components: Record<string, { ok: boolean }> };
    expect(ready.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.components).sort()).toEqual(['events', 'queue', 'store', 'workers']);
    expect(Object.values(body.components).every((c) => c.ok)).toBe(true);
    expect((await t.client.ready()).components.workers?.message).toBe('1 active of 1 registered');
  });

  it('serves /metrics to admins only', async () => {
    expect((await scrape(`${t.url}/metrics`)).status).toBe(401);
    const { secret } = await t.client.createKey({ name: 'not an admin', project: 'team-a' });
    const refused = await scrape(`${t.url}/metrics`, secret);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'ERR_FORBIDDEN' } });
  });

  it('shows request, task, VM, exec, queue, worker and process series after create + exec + delete', async () => {
    await t.client.createVm({ name: 'metered' }, { wait: true });
    const ran = await t.client.execute('metered', { command: 'echo', args: ['hi'] }, { wait: true });
    expect(ran.execution?.exit_code).toBe(0);
    const whileRunning = await metricsOf(t.node);
    expect(whileRunning.get(sampleKey('aether_vms', { state: 'running', driver: 'process' }))).toBe(1);

    await t.client.deleteVm('metered', { wait: true });
    // A heartbeat of 100 ms has been sent several times over by now; wait for one to be sure.
    await expect
      .poll(async () =>
        (await metricsOf(t.node)).get(
          sampleKey('aether_worker_heartbeats_total', { worker: 'w-up', outcome: 'renewed' }),
        ),
      )
      .toBeGreaterThan(0);
    const m = await metricsOf(t.node);
    const count = (name: string, labels: Record<string, string>) => m.get(sampleKey(name, labels)) ?? 0;

    // Requests, by route pattern: the VM's name never becomes a label.
    const http = 'aether_http_request_duration_seconds_count';
    expect(count(http, { route: '/api/v1/vms', method: 'POST', status: '200' })).toBe(1);
    expect(count(http, { route: '/api/v1/vms/:id/execute', method: 'POST', status: '200' })).toBe(1);
    expect(count(http, { route: '/api/v1/vms/:id', method: 'DELETE', status: '200' })).toBe(1);
    expect(count(http, { route: '/metrics', method: 'GET', status: '401' })).toBe(1);
    expect(count(http, { route: '/metrics', method: 'GET', status: '403' })).toBe(1);
    const routes = [...m.keys()].filter((k) => k.startsWith(`${http}{`)).join('\n');
    expect(routes).not.toContain('metered');

    // Tasks by type and outcome, observed where the worker finished them.
    for (const type of ['vm:create', 'vm:execute', 'vm:delete']) {
      expect(count('aether_task_duration_seconds_count', { type, outcome: 'completed' }), type).toBe(1);
    }
    expect(
      count('aether_task_duration_seconds_sum', { type: 'vm:execute', outcome: 'completed' }),
    ).toBeGreaterThan(0);
    // One driver exec round trip.
    expect(count('aether_exec_duration_seconds_count', { driver: 'process', outcome: 'exited' })).toBe(1);

    // VMs by state and driver: the deleted one is not counted, empty states show 0.
    expect(m.get(sampleKey('aether_vms', { state: 'running', driver: 'process' }))).toBe(0);
    expect(m.get(sampleKey('aether_vms', { state: 'pending', driver: 'docker' }))).toBe(0);
    expect([...m.keys()].some((k) => k.includes('state="deleted"'))).toBe(false);

    // Queue depth per queue and priority: the shared queue and this worker's own, drained.
    for (const priority of ['critical', 'high', 'default', 'low']) {
      expect(m.get(sampleKey('aether_queue_depth', { queue: SHARED_QUEUE, priority }))).toBe(0);
      expect(m.get(sampleKey('aether_queue_depth', { queue: workerQueueName('w-up'), priority }))).toBe(0);
    }

    // Workers, from the registry, and this one's heartbeat age.
    expect(m.get(sampleKey('aether_workers', { status: 'active' }))).toBe(1);
    const age = m.get(sampleKey('aether_worker_heartbeat_age_seconds', { worker: 'w-up' }));
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(5);
    for (const source of ['vms', 'depth', 'workers']) {
      expect(m.get(sampleKey('aether_metrics_source_up', { source }))).toBe(1);
    }

    // The process's own series.
    expect(m.has(sampleKey('process_cpu_user_seconds_total'))).toBe(true);
    expect(m.has(sampleKey('nodejs_eventloop_lag_seconds'))).toBe(true);
  });
});

describe.skipIf(!canRun)('a gateway without workers', () => {
  let g: Awaited<ReturnType<typeof startRoleNode>>;
  beforeAll(async () => {
    g = await startRoleNode({ gateway: true, worker: false }, { AETHER_RATE_LIMIT_MAX: '10' });
  }, NODE_START_MS);
  afterAll(async () => {
    await g?.stop();
  });

  it('is live but not ready; its metrics show the task that waits, by queue and priority', async () => {
    const client = new AetherClient({ baseUrl: g.node.url!, token: g.node.localAdminKey ?? undefined });
    // Liveness is never rate limited (the limit here is 10 a minute).
    for (let i = 0; i < 15; i++) expect((await fetch(`${g.node.url}/api/v1/health`)).status).toBe(200);
    // Live all the same: it reports what is missing, and still answers 200.
    const live = (await (await fetch(`${g.node.url}/api/v1/health`)).json()) as {
      status: string;
      components: Record<string, string>;
    };
    expect(live).toMatchObject({
      status: 'degraded',
      components: { store: 'healthy', workers: 'unhealthy' },
    });
    const res = await fetch(`${g.node.url}/api/v1/ready`);
    expect(res.status).toBe(503);
    const ready = (await res.json()) as {
      status: string;
      components: Record<string, { ok: boolean; message: string }>;
    };
    expect(ready.status).toBe('degraded');
    expect(ready.components.workers).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no worker/),
    });
    expect(ready.components.store?.ok).toBe(true);
    expect(ready.components.queue?.ok).toBe(true);
    expect(ready.components.events?.ok).toBe(true);

    // No worker has ever joined: a create is refused at once rather than left waiting forever.
    await expect(client.createVm({ name: 'nowhere' })).rejects.toMatchObject({ code: 'ERR_NO_WORKER' });
    // A worker that left on purpose (and is expected back) offers its drivers: the create waits
    // in its driver's queue, which nothing here consumes.
    const store = g.node.backends.store;
    const left = await store.registerWorker({
      id: 'w-away',
      host: 'elsewhere',
      drivers: ['process'],
      capacity: 1,
      version: 'test',
    });
    await store.setWorkerStatus(left.id, left.epoch, 'stopped', 'stopped on request');
    await expect(client.createVm({ name: 'dockerless', driver: 'docker' })).rejects.toMatchObject({
      code: 'ERR_DRIVER_UNKNOWN',
      message: expect.stringMatching(/workers offer: process/),
    });
    await client.createVm({ name: 'waiting' });
    const m = await metricsOf(g.node);
    const createQueue = driverQueueName('process');
    expect(m.get(sampleKey('aether_queue_depth', { queue: createQueue, priority: 'default' }))).toBe(1);
    expect(m.get(sampleKey('aether_queue_depth', { queue: createQueue, priority: 'critical' }))).toBe(0);
    expect(m.get(sampleKey('aether_vms', { state: 'pending', driver: 'process' }))).toBe(1);
    expect(m.get(sampleKey('aether_workers', { status: 'active' }))).toBe(0);
    expect(m.get(sampleKey('aether_workers', { status: 'stopped' }))).toBe(1);
    // No worker here: no worker series.
    expect([...m.keys()].some((k) => k.startsWith('aether_task_duration_seconds'))).toBe(false);
  });

  it('goes on answering /health, and /ready with 503, once its store is closed', async () => {
    await g.node.backends.store.close();
    // Past the second for which a round of checks is reused.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const health = await fetch(`${g.node.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { checks: Record<string, unknown> }).checks.store).toMatchObject({
      status: 'unhealthy',
      detail: 'store is closed',
    });
    const res = await fetch(`${g.node.url}/api/v1/ready`);
    expect(res.status).toBe(503);
    const ready = (await res.json()) as { components: Record<string, { ok: boolean; message: string }> };
    expect(ready.components.store).toMatchObject({ ok: false, message: 'store is closed' });
    // The scrape still answers, saying which source it could not read.
    const m = await metricsOf(g.node);
    expect(m.get(sampleKey('aether_metrics_source_up', { source: 'vms' }))).toBe(0);
    expect(m.get(sampleKey('aether_metrics_source_up', { source: 'depth' }))).toBe(1);
    expect([...m.keys()].some((k) => k.startsWith('aether_vms{'))).toBe(false);
  });
});

describe.skipIf(!canRun)('aether worker with --metrics-port', () => {
  it(
    'serves its own /metrics on a loopback listener, and closes it with the node',
    async () => {
      const w = await startRoleNode(
        { gateway: false, worker: true },
        { AETHER_METRICS_PORT: '0', AETHER_HEARTBEAT_INTERVAL_MS: '100', AETHER_WORKER_ID: 'w-alone' },
      );
      let url: string;
      try {
        expect(w.node.url).toBeNull();
        url = w.node.metricsUrl!;
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
        expect(w.node.banner).toContain(`metrics: ${url} (no authentication)`);
        await expect
          .poll(async () =>
            parseExposition((await scrape(url)).text).get(
              sampleKey('aether_worker_heartbeats_total', { worker: 'w-alone', outcome: 'renewed' }),
            ),
          )
          .toBeGreaterThan(0);
        const { status, type, text } = await scrape(url);
        expect(status).toBe(200);
        expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
        const m = parseExposition(text);
        expect(m.has(sampleKey('process_resident_memory_bytes'))).toBe(true);
        // Its own work only: request series and the cluster's gauges are the gateways' to show.
        expect([...m.keys()].some((k) => k.startsWith('aether_http_request'))).toBe(false);
        expect([...m.keys()].some((k) => k.startsWith('aether_vms{'))).toBe(false);

        expect((await scrape(url.replace(/\/metrics$/, '/other'))).status).toBe(404);
        expect((await fetch(url, { method: 'POST' })).status).toBe(405);
      } finally {
        await w.stop();
      }
      await expect(fetch(url)).rejects.toThrow();
    },
    NODE_START_MS,
  );

  it('refuses a port in use, naming the option to change', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const config = loadConfig({ AETHER_METRICS_PORT: String(port) });
      await expect(serveNodeMetrics(new Registry(), config, silentLogger)).rejects.toMatchObject({
        code: 'ERR_CONFIG',
        message: `cannot serve metrics on 127.0.0.1:${port} (EADDRINUSE)`,
        details: { option: 'metricsPort' },
      });
      expect(await serveNodeMetrics(new Registry(), loadConfig({}), silentLogger)).toBeNull();
    } finally {
      holder.close();
    }
  });
});
