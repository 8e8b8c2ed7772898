/**
 * VM health in a cluster: a worker (its own node, over PostgreSQL and Redis) notices a VM whose
 * sandbox was killed, and the gateway, in another node, serves it as `failed` with the reason.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherClient } from '@aetherium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { loadConfig } from '../../src/runtime/config.js';
import { type RunningNode, startNode } from '../../src/runtime/node.js';
import { postgresAvailable, REDIS_URL, redisAvailable } from '../support/backends.js';
import { readSandboxRecord, sandboxProcesses, stillRunning } from '../support/sandbox-processes.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { throwawayDatabase } from '../support/throwaway-database.js';

const canRun =
  (await sandboxesAvailable('VM health in a cluster')) &&
  (await postgresAvailable()) &&
  (await redisAvailable());

describe.skipIf(!canRun)('VM health in a cluster (PostgreSQL + Redis, gateway and worker apart)', () => {
  const database = throwawayDatabase('aether_health');
  const redisUrl = new URL(REDIS_URL);
  redisUrl.pathname = `/${1 + Math.floor(Math.random() * 15)}`;
  const dirs: string[] = [];
  const nodes: RunningNode[] = [];
  let workerDir: string;
  let client: AetherClient;

  async function start(role: 'gateway' | 'worker', env: Record<string, string>): Promise<RunningNode> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `aether-health-${role}-`));
    chmodSync(dataDir, 0o711);
    dirs.push(dataDir);
    const config = loadConfig({
      AETHER_DATA_DIR: dataDir,
      AETHER_PORT: '0',
      AETHER_LOG_LEVEL: 'silent',
      AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
      AETHER_WARM_POOL_SIZE: '0',
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
    await start('worker', { AETHER_WORKER_ID: 'w-health', AETHER_DRIVERS: 'process' });
    workerDir = dirs.at(-1)!;
    const gateway = await start('gateway', { AETHER_DRIVERS: 'process' });
    const key = gateway.localAdminKey;
    client = new AetherClient({ baseUrl: gateway.url!, ...(key ? { token: key } : {}) });
    console.info(`health cluster: database ${database.name}, ${redisUrl.href}`);
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

  it('fails a VM whose sandbox is killed -9 on its worker, within 10 s', { timeout: 90_000 }, async () => {
    const { vm } = await client.createVm({ name: 'health-cluster' }, { wait: true });
    expect(vm.worker_id).toBe('w-health');
    const record = readSandboxRecord(workerDir, vm.id);
    const processes = sandboxProcesses(record);
    const since = Date.now();
    process.kill(-record.pid, 'SIGKILL');
    let after = await client.getVm(vm.id);
    while (after.status === 'running' && Date.now() - since < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await client.getVm(vm.id);
    }
    expect(after.status, `VM ${vm.id}`).toBe('failed');
    expect(after.status_reason).toMatch(/^sandbox_exited: /);
    expect(Date.now() - since).toBeLessThan(10_000);
    expect(stillRunning(processes)).toEqual([]);
    await expect(client.execute(vm.id, { command: 'true' }, { wait: true })).rejects.toMatchObject({
      code: 'ERR_VM_NOT_RUNNING',
    });
  });
});
