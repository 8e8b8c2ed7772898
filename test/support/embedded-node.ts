import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherClient } from '../../src/client/client.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { type RunningNode, startNode } from '../../src/runtime/node.js';

export interface TestNode {
  node: RunningNode;
  client: AetherClient;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** A real `aether up` in this process: embedded store and queue, process driver, HTTP on a free port. */
export async function startTestNode(env: Record<string, string> = {}): Promise<TestNode> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-test-'));
  const config = loadConfig({
    AETHER_DATA_DIR: dataDir,
    AETHER_PORT: '0',
    AETHER_LOG_LEVEL: 'silent',
    ...env,
  });
  const node = await startNode(config, silentLogger, { gateway: true, worker: true });
  return {
    node,
    client: new AetherClient({ baseUrl: node.url! }),
    url: node.url!,
    dataDir,
    async stop() {
      for (const vm of await node.service.listVms()) {
        await node.service.deleteVm(vm.id).catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 300));
      await node.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
