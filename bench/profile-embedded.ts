/**
 * Where an embedded execution's time goes: an `aether up` node in this process, one warm VM,
 * N executions (`true`) from 16 concurrent clients over REST, and the store calls each one
 * costs, counted by wrapping the store's methods. Run it under the CPU profiler:
 *
 *   N=400 node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-embedded.ts
 *
 * and read the largest profile (the main thread) in Chrome DevTools or any cpuprofile viewer.
 * docs/performance.md keeps what it showed.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os, { availableParallelism } from 'node:os';
import path from 'node:path';
import { AetherClient } from '@aetherium/sdk';
import { silentLogger } from '../src/core/logger.js';
import { loadConfig } from '../src/runtime/config.js';
import { startNode } from '../src/runtime/node.js';

const executions = Number(process.env.N ?? 400);
const clients = 16;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-profile-'));
// Reachable by the sandbox's uid when run as root, so VM files stay in here.
chmodSync(dataDir, 0o711);
const config = loadConfig({
  AETHER_DATA_DIR: dataDir,
  AETHER_PORT: '0',
  AETHER_LOG_LEVEL: 'silent',
  AETHER_AUTH: 'off',
});
const node = await startNode(config, silentLogger, { gateway: true, worker: true });
try {
  const client = new AetherClient({ baseUrl: node.url! });
  // As many vCPUs as cores, as in bench/embedded.ts: the VM's CPU quota is not what is profiled.
  await client.createVm({ name: 'profiled', vcpus: Math.min(availableParallelism(), 64) }, { wait: true });

  // Every store method, counted from here on (the services call through this same object).
  const store = node.backends.store as unknown as Record<string, (...args: unknown[]) => unknown>;
  const calls = new Map<string, number>();
  for (const name of Object.keys(store)) {
    const method = store[name];
    if (typeof method !== 'function') continue;
    store[name] = (...args: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return method.apply(store, args);
    };
  }

  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (started < executions) {
        started++;
        await client.execute('profiled', { command: 'true' }, { wait: true });
      }
    }),
  );
  const ms = performance.now() - t0;
  console.log(
    `${executions} executions, ${clients} clients: ${ms.toFixed(0)} ms, ${((executions / ms) * 1000).toFixed(1)}/s`,
  );
  const perExecution = [...calls].map(([name, n]) => [name, Number((n / executions).toFixed(2))]);
  console.log('store calls per execution:', Object.fromEntries(perExecution));
  // A VM outlives its node by design: delete it, so no sandbox is left behind.
  await client.deleteVm('profiled', { wait: true });
} finally {
  await node.close();
  rmSync(dataDir, { recursive: true, force: true });
}
