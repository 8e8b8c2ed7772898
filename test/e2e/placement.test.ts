/**
 * Placement in a cluster whose workers run different drivers: a create reaches a worker that has
 * its driver, the drivers offered come from the workers' registrations, and a gateway opens no
 * driver of its own. Real PostgreSQL, Redis, process sandboxes and Docker containers.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherClient } from '@aetherium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { loadConfig } from '../../src/runtime/config.js';
import { type RunningNode, startNode } from '../../src/runtime/node.js';
import {
  DOCKER_TEST_IMAGE,
  dockerAvailable,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from '../support/backends.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { throwawayDatabase } from '../support/throwaway-database.js';

const canRun =
  (await sandboxesAvailable('placement by driver')) &&
  (await postgresAvailable()) &&
  (await redisAvailable()) &&
  (await dockerAvailable());

async function settled(client: AetherClient, taskId: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const task = await client.getTask(taskId);
    if (['completed', 'failed', 'cancelled'].includes(task.status) || Date.now() > deadline) return task;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!canRun)('placement by driver (PostgreSQL + Redis, two workers)', () => {
  const database = throwawayDatabase('aether_place');
  const redisUrl = new URL(REDIS_URL);
  redisUrl.pathname = `/${1 + Math.floor(Math.random() * 15)}`;
  const dirs: string[] = [];
  const nodes: RunningNode[] = [];
  let gateway: RunningNode;
  let gatewayDir: string;
  let client: AetherClient;

  async function start(role: 'gateway' | 'worker', env: Record<string, string>): Promise<RunningNode> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `aether-place-${role}-`));
    chmodSync(dataDir, 0o711);
    dirs.push(dataDir);
    const config = loadConfig({
      AETHER_DATA_DIR: dataDir,
      AETHER_PORT: '0',
      AETHER_LOG_LEVEL: 'silent',
      AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
      AETHER_WARM_POOL_SIZE: '1',
      AETHER_DOCKER_IMAGE: DOCKER_TEST_IMAGE,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl.href,
      ...env,
    });
    const node = await startNode(config, silentLogger, {
      gateway: role === 'gateway',
      worker: role === 'worker',
    });
    nodes.push(node);
    return node;
  }

  beforeAll(async () => {
    await database.create();
    await start('worker', {
      AETHER_WORKER_ID: 'w-docker',
      AETHER_DRIVER: 'docker',
      AETHER_DRIVERS: 'docker',
    });
    await start('worker', { AETHER_WORKER_ID: 'w-process', AETHER_DRIVERS: 'process' });
    // The gateway's own configuration names only the process driver: what it accepts must come
    // from the workers, not from its configuration.
    gateway = await start('gateway', { AETHER_DRIVERS: 'process' });
    gatewayDir = dirs.at(-1)!;
    const key = gateway.localAdminKey;
    client = new AetherClient({ baseUrl: gateway.url!, ...(key ? { token: key } : {}) });
    console.info(`placement cluster: database ${database.name}, ${redisUrl.href}`);
  }, 120_000);

  afterAll(async () => {
    try {
      for (const vm of await client.listVms().catch(() => [])) {
        await client.deleteVm(vm.id, { wait: true }).catch(() => {});
      }
    } finally {
      for (const node of nodes.reverse()) await node.close();
      await database.drop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('sends every create to a worker that runs its driver', { timeout: 120_000 }, async () => {
    // Sent at once, so both workers are free to take any of them from a shared queue.
    const creates = await Promise.all(
      Array.from({ length: 6 }, (_, i) => client.createVm({ name: `p${i}` })),
    );
    const docker = await client.createVm({ name: 'd0', driver: 'docker' });
    for (const { task_id } of [...creates, docker]) {
      const task = await settled(client, task_id);
      expect(task.status, JSON.stringify(task.error)).toBe('completed');
    }
    const vms = await client.listVms();
    for (const vm of vms) {
      expect(vm.status).toBe('running');
      expect(vm.worker_id).toBe(vm.driver === 'docker' ? 'w-docker' : 'w-process');
    }
    expect(vms.filter((vm) => vm.driver === 'process')).toHaveLength(6);
  });

  it('offers the drivers its workers registered, and refuses one none of them runs', async () => {
    await expect(client.createVm({ name: 'q0', driver: 'qemu' })).rejects.toMatchObject({
      code: 'ERR_DRIVER_UNKNOWN',
      message: expect.stringMatching(/workers offer: docker, process/),
    });
  });

  it('opens no driver on a gateway', () => {
    expect(gateway.banner.some((line) => line.startsWith('drivers:'))).toBe(false);
    // The process driver would have made its state directory and warm sandboxes here.
    expect(existsSync(path.join(gatewayDir, 'process'))).toBe(false);
  });
});
