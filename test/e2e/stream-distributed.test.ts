/**
 * Live output across processes: a gateway-only node and a worker-only node, each with its own
 * PostgreSQL pool and its own Redis event bus, as two hosts of a cluster would have. The stream
 * replays from the store and follows the bus with no gap and no duplicate.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherClient } from '@aetherium/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMap } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadConfig } from '../../src/runtime/config.js';
import { type RunningNode, startNode } from '../../src/runtime/node.js';
import { POSTGRES_URL, postgresAvailable, REDIS_URL, redisAvailable } from '../support/backends.js';
import { type RedisTrafficRelay, startRedisRelay } from '../support/redis-traffic.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { expectWellFormed, readWebSocket, recordText, streamBytes } from '../support/stream-reader.js';

const canRun =
  (await sandboxesAvailable('distributed execution stream')) &&
  (await postgresAvailable()) &&
  (await redisAvailable());

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe.skipIf(!canRun)('execution streams across processes (PostgreSQL + Redis)', () => {
  const database = `aether_stream_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  // A Redis database of its own keeps this cluster's queues apart from other tests' on that server.
  const redisUrl = new URL(REDIS_URL);
  redisUrl.pathname = `/${1 + Math.floor(Math.random() * 15)}`;
  const databaseUrl = new URL(POSTGRES_URL);
  databaseUrl.pathname = `/${database}`;
  const dirs: string[] = [];
  let gateway: RunningNode | null = null;
  let worker: RunningNode | null = null;
  let client: AetherClient;

  async function start(role: 'gateway' | 'worker', env: Record<string, string> = {}): Promise<RunningNode> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `aether-stream-${role}-`));
    chmodSync(dataDir, 0o711);
    dirs.push(dataDir);
    const config = loadConfig({
      AETHER_DATA_DIR: dataDir,
      AETHER_PORT: '0',
      AETHER_LOG_LEVEL: 'silent',
      AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
      AETHER_WORKER_ID: `stream-${role}-${randomUUID().slice(0, 8)}`,
      AETHER_WARM_POOL_SIZE: role === 'worker' ? '1' : '0',
      DATABASE_URL: databaseUrl.href,
      REDIS_URL: redisUrl.href,
      ...env,
    });
    return startNode(config, silentLogger, { gateway: role === 'gateway', worker: role === 'worker' });
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database}`);
    worker = await start('worker');
    gateway = await start('gateway');
    const key = gateway.localAdminKey;
    client = new AetherClient({ baseUrl: gateway.url!, ...(key ? { token: key } : {}) });
    console.info(`stream cluster: database ${database}, ${redisUrl.href}`);
  }, 120_000);

  afterAll(async () => {
    try {
      for (const vm of await client.listVms().catch(() => [])) {
        await client.deleteVm(vm.id, { wait: true }).catch(() => {});
      }
    } finally {
      await gateway?.close();
      await worker?.close();
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('streams a run on another node byte for byte, opened mid-run and after the end', async () => {
    const { vm } = await client.createVm({ name: 'far' }, { wait: true });
    expect(vm.worker_id).toBe(worker!.worker!.id);
    const script = String.raw`printf '\377\000start\n'; for i in $(seq 1 30); do echo line $i; echo e$i >&2; sleep 0.03; done; head -c 200000 /dev/zero | tr '\0' x`;
    // What crosses from the worker's bus to the gateway's: the same chunks, numbered alike.
    const heard: EventMap['execution.output'][] = [];
    const unsubscribe = gateway!.backends.events.subscribe('execution.output', (event) => heard.push(event));
    const { execution_id } = await client.execute('far', { command: 'sh', args: ['-c', script] });
    const live = await readWebSocket(client, execution_id);
    unsubscribe();
    expect(live.end).toMatchObject({ type: 'exit', exit_code: 0 });
    expectWellFormed(live.chunks);

    const stored = await client.getExecution(execution_id);
    const stdout = streamBytes(live.chunks, 'stdout');
    expect(stdout.subarray(0, 8)).toEqual(Buffer.from([0xff, 0, ...Buffer.from('start\n')]));
    expect(recordText(stdout)).toBe(stored.stdout);
    expect(recordText(streamBytes(live.chunks, 'stderr'))).toBe(stored.stderr);
    expect(stored.stdout.endsWith('x'.repeat(200_000))).toBe(true);

    const events = heard.filter((e) => e.executionId === execution_id);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(live.chunks[event.seq - 1]).toMatchObject({
        seq: event.seq,
        stream: event.stream,
        offset: event.offset,
        data: event.data,
      });
    }

    const replay = await readWebSocket(client, execution_id);
    expect(replay.chunks).toEqual(live.chunks);
    const k = Math.floor(live.chunks.length / 2);
    expect((await readWebSocket(client, execution_id, { afterSeq: k })).chunks).toEqual(live.chunks.slice(k));
  });

  it('joins a run late: the stored part, then live events, nothing twice', async () => {
    const { execution_id } = await client.execute('far', {
      command: 'sh',
      args: ['-c', 'for i in $(seq 1 60); do echo tick $i; sleep 0.02; done'],
    });
    // Joined while it runs: part of the output is stored, the rest still to come.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const joined = await readWebSocket(client, execution_id);
    expectWellFormed(joined.chunks);
    const expected = Array.from({ length: 60 }, (_, i) => `tick ${i + 1}\n`).join('');
    expect(streamBytes(joined.chunks, 'stdout').toString()).toBe(expected);
    expect((await client.getExecution(execution_id)).stdout).toBe(expected);
  });
  it('sends a gateway the bus traffic of the executions it streams, and nothing of the others', async () => {
    // Two more gateways, each with its event bus behind a relay that keeps what Redis sends it.
    const relays: RedisTrafficRelay[] = [];
    const gateways: RunningNode[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const relay = await startRedisRelay(redisUrl.href);
        relays.push(relay);
        gateways.push(await start('gateway', { AETHER_EVENTS_REDIS_URL: relay.url }));
      }
      const clients = gateways.map(
        (node) =>
          new AetherClient({
            baseUrl: node.url!,
            ...(node.localAdminKey ? { token: node.localAdminKey } : {}),
          }),
      );
      const script = (name: string) => `for i in $(seq 1 25); do echo ${name} $i; sleep 0.04; done`;
      const a = await client.execute('far', { command: 'sh', args: ['-c', script('a')] });
      const b = await client.execute('far', { command: 'sh', args: ['-c', script('b')] });
      const [streamA, streamB] = await Promise.all([
        readWebSocket(clients[0]!, a.execution_id),
        readWebSocket(clients[1]!, b.execution_id),
      ]);
      const lines = (name: string) => Array.from({ length: 25 }, (_, i) => `${name} ${i + 1}\n`).join('');
      expect(streamBytes(streamA.chunks, 'stdout').toString()).toBe(lines('a'));
      expect(streamBytes(streamB.chunks, 'stdout').toString()).toBe(lines('b'));

      const executionChannels = (relay: RedisTrafficRelay) =>
        relay.deliveredChannels().filter((channel) => channel.includes(':execution.'));
      const [first, second] = relays as [RedisTrafficRelay, RedisTrafficRelay];
      expect(executionChannels(first).length).toBeGreaterThan(0);
      expect(executionChannels(first).every((channel) => channel.endsWith(a.execution_id))).toBe(true);
      expect(first.received().includes(b.execution_id)).toBe(false);
      expect(executionChannels(second).length).toBeGreaterThan(0);
      expect(executionChannels(second).every((channel) => channel.endsWith(b.execution_id))).toBe(true);
      expect(second.received().includes(a.execution_id)).toBe(false);
    } finally {
      for (const node of gateways) await node.close();
      for (const relay of relays) await relay.close();
    }
  }, 60_000);
});
