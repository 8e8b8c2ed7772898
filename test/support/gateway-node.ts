import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../../src/core/logger.js';
import { loadConfig } from '../../src/runtime/config.js';
import { type NodeRoles, type RunningNode, startNode } from '../../src/runtime/node.js';

export interface GatewayNode {
  node: RunningNode;
  app: FastifyInstance;
  url: string;
  /** The admin key the gateway made on start. */
  adminKey: string;
  stop(): Promise<void>;
}

/** A node with the given roles on a data dir of its own, stopped (and its dir removed) by `stop`. */
export async function startRoleNode(roles: NodeRoles, env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-node-'));
  const config = loadConfig({
    AETHER_DATA_DIR: dataDir,
    AETHER_PORT: '0',
    AETHER_LOG_LEVEL: 'silent',
    AETHER_WARM_POOL_SIZE: '0',
    AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
    ...env,
  });
  const node = await startNode(config, silentLogger, roles).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    node,
    config,
    async stop() {
      await node.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A real gateway with no worker: embedded store and queue in a directory of its own, HTTP on a
 * free port. For what the gateway decides alone (authentication, sessions, serving pages).
 */
export async function startGatewayNode(env: Record<string, string> = {}): Promise<GatewayNode> {
  const { node, stop } = await startRoleNode({ gateway: true, worker: false }, env);
  return { node, app: node.app!, url: node.url!, adminKey: node.localAdminKey!, stop };
}
