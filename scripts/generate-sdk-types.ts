// Writes the SDK's wire types from the OpenAPI document of a gateway started here for the
// purpose (embedded store in a temporary directory, nothing listening but loopback).
// Usage: npm run sdk:types
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/core/logger.js';
import { loadConfig } from '../src/runtime/config.js';
import { startNode } from '../src/runtime/node.js';
import { renderSdkTypes } from './sdk-types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-sdk-types-'));
const node = await startNode(
  loadConfig({
    AETHER_DATA_DIR: dataDir,
    AETHER_PORT: '0',
    AETHER_LOG_LEVEL: 'silent',
    AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
  }),
  silentLogger,
  { gateway: true, worker: false },
);
try {
  const document = (await (await fetch(`${node.url}/api/v1/openapi.json`)).json()) as Record<string, unknown>;
  const files = await renderSdkTypes(document);
  const out = path.join(root, 'packages/sdk/src/generated');
  writeFileSync(path.join(out, 'openapi.ts'), files.openapi);
  writeFileSync(path.join(out, 'routes.ts'), files.routes);
} finally {
  await node.close();
  rmSync(dataDir, { recursive: true, force: true });
}
