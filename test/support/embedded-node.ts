import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherClient } from '@aetherium/sdk';
import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { SYSTEM_ACCESS } from '../../src/core/principal.js';
import { loadConfig } from '../../src/runtime/config.js';
import { type RunningNode, startNode } from '../../src/runtime/node.js';
import { rememberGatewayKey } from './gateway-keys.js';
import { unmountUnder } from './mounts.js';

export interface TestNode {
  node: RunningNode;
  client: AetherClient;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** A real `aether up` in this process: embedded store and queue, process driver, HTTP on a free port. */
export async function startTestNode(
  env: Record<string, string> = {},
  existingDataDir?: string,
): Promise<TestNode> {
  const dataDir = existingDataDir ?? mkdtempSync(path.join(os.tmpdir(), 'aether-test-'));
  // Reachable by the unprivileged sandbox uid when tests run as root, so VM files stay in here.
  chmodSync(dataDir, 0o711);
  const config = loadConfig({
    AETHER_DATA_DIR: dataDir,
    AETHER_PORT: '0',
    AETHER_LOG_LEVEL: 'silent',
    // The local admin key goes into the test's own directory, never the user's home.
    AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
    ...env,
  });
  const node = await startNode(config, silentLogger, { gateway: true, worker: true });
  if (node.localAdminKey) rememberGatewayKey(node.url!, node.localAdminKey);
  return {
    node,
    client: new AetherClient({
      baseUrl: node.url!,
      ...(node.localAdminKey ? { token: node.localAdminKey } : {}),
    }),
    url: node.url!,
    dataDir,
    async stop() {
      // VMs outlive their node by design: delete them, and wait, so no sandbox is left behind.
      for (const vm of await node.services.vms.list(SYSTEM_ACCESS)) {
        const deleting = await node.services.vms.delete(SYSTEM_ACCESS, vm.id).catch(() => null);
        if (deleting) await node.services.tasks.wait(deleting.task.id, 30_000).catch(() => {});
      }
      await node.close();
      unmountUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One node for a whole test file, started before its tests and stopped after them; null when
 * this host cannot make sandboxes (the caller skips its describe blocks then).
 */
export function useTestNode(canRun: boolean, env: Record<string, string> = {}): () => TestNode {
  let node: TestNode | null = null;
  beforeAll(async () => {
    if (canRun) node = await startTestNode(env);
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
  });
  return () => {
    if (!node) throw new Error('the test node is not running');
    return node;
  };
}
