import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../../src/core/logger.js';
import { loadConfig } from '../../src/runtime/config.js';
import { type RunningNode, startNode } from '../../src/runtime/node.js';

export interface GatewayNode {
  node: RunningNode;
  app: FastifyInstance;
  url: string;
  /** The admin key the gateway made on start. */
  adminKey: string;
  stop(): Promise<void>;
}

/**
 * A real gateway with no worker: embedded store and queue in a directory of its own, HTTP on a
 * free port. For what the gateway decides alone (authentication, sessions, serving pages).
 */
export async function startGatewayNode(env: Record<string, string> = {}): Promise<GatewayNode> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-gateway-'));
  try {
    const config = loadConfig({
      AETHER_DATA_DIR: dataDir,
      AETHER_PORT: '0',
      AETHER_LOG_LEVEL: 'silent',
      AETHER_WARM_POOL_SIZE: '0',
      AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
      ...env,
    });
    const node = await startNode(config, silentLogger, { gateway: true, worker: false });
    return {
      node,
      app: node.app!,
      url: node.url!,
      adminKey: node.localAdminKey!,
      async stop() {
        await node.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
