/**
 * The wire contract cannot drift: the OpenAPI document a real gateway serves, the route table
 * (src/api/routes.ts) and the typed client (src/client) must name the same operations, and the
 * document must be valid OpenAPI 3 that describes every answer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherClient } from '@aetherium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSdkTypes } from '../../scripts/sdk-types.js';
import { API_ROUTES, type ApiRouteSpec, fastifyPath, OPERATION_IDS } from '../../src/api/routes.js';
import type { Logger } from '../../src/core/logger.js';
import { loadConfig } from '../../src/runtime/config.js';
import { type RunningNode, startNode } from '../../src/runtime/node.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string; required?: boolean }[];
  responses?: Record<string, { content?: Record<string, { schema?: Json }> }>;
  security?: unknown[];
}
type OpenApiDocument = Json & {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
  security: Record<string, string[]>[];
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SCHEMA_REF = '#/components/schemas/';

/**
 * Each public method of the client, called with arguments the gateway refuses or cannot find,
 * so the calls change nothing. A new client method must be added here, or the test fails.
 */
const CLIENT_CALLS: Record<string, (client: AetherClient) => Promise<unknown>> = {
  createVm: (c) => c.createVm({ name: 'Not A Valid Name' }),
  listVms: (c) => c.listVms(),
  openTerminal: (c) => c.openTerminal('drift-missing', { cols: 80, rows: 24 }),
  listTerminals: (c) => c.listTerminals('drift-missing'),
  getTerminal: (c) => c.getTerminal('drift-missing', `term_${'a'.repeat(20)}`),
  resizeTerminal: (c) => c.resizeTerminal('drift-missing', `term_${'a'.repeat(20)}`, { cols: 80, rows: 24 }),
  closeTerminal: (c) => c.closeTerminal('drift-missing', `term_${'a'.repeat(20)}`),
  attachTerminal: (c) => c.attachTerminal('drift-missing', `term_${'a'.repeat(20)}`),
  connectPort: (c) => c.connectPort('drift-missing', 3000),
  openPortSocket: (c) => c.openPortSocket('drift-missing', 3000),
  getVm: (c) => c.getVm('drift-missing'),
  listVmEvents: (c) => c.listVmEvents('drift-missing'),
  deleteVm: (c) => c.deleteVm('drift-missing'),
  stopVm: (c) => c.stopVm('drift-missing'),
  startVm: (c) => c.startVm('drift-missing'),
  pauseVm: (c) => c.pauseVm('drift-missing'),
  resumeVm: (c) => c.resumeVm('drift-missing'),
  extendVm: (c) => c.extendVm('drift-missing', 60),
  snapshotVm: (c) => c.snapshotVm('drift-missing'),
  getSnapshot: (c) => c.getSnapshot('drift-missing'),
  listSnapshots: (c) => c.listSnapshots({ vm: 'drift-missing' }),
  deleteSnapshot: (c) => c.deleteSnapshot('drift-missing'),
  execute: (c) => c.execute('drift-missing', { command: 'true' }),
  executeStream: async (c) => {
    for await (const _ of c.executeStream('drift-missing', { command: 'true' })) {
      // Nothing: the VM does not exist, so the stream is refused before it starts.
    }
  },
  listExecutions: (c) => c.listExecutions('drift-missing'),
  getExecution: (c) => c.getExecution('drift-missing'),
  listAllExecutions: (c) => c.listAllExecutions({ vm: 'drift-missing' }),
  listWorkers: (c) => c.listWorkers(),
  getWorker: (c) => c.getWorker('drift-missing'),
  getTask: (c) => c.getTask('drift-missing'),
  listTasks: (c) => c.listTasks({ vm: 'drift-missing' }),
  runJob: (c) => c.runJob('drift-missing', { name: 'drift', steps: [{ command: 'true' }] }),
  getJob: (c) => c.getJob('drift-missing'),
  listJobs: (c) => c.listJobs({ vm: 'drift-missing' }),
  getOverview: (c) => c.getOverview(),
  getQueue: (c) => c.getQueue(),
  listIntegrations: (c) => c.listIntegrations(),
  openExecutionStream: async (c) => {
    for await (const _ of c.openExecutionStream('drift-missing')) {
      // Nothing: an unknown execution is a 404 before any upgrade.
    }
  },
  followExecution: async (c) => {
    for await (const _ of c.followExecution('drift-missing', { reconnectForMs: 0 })) {
      // Nothing, as above; a 404 is not retried.
    }
  },
  queryLogs: (c) => c.queryLogs({ limit: 0 }),
  followLogs: async (c) => {
    for await (const _ of c.followLogs({ vm_id: 'drift-missing' })) {
      // Nothing: an unknown VM is a 404 before any upgrade.
    }
  },
  followEvents: async (c) => {
    for await (const _ of c.followEvents({ types: 'drift-unknown' })) {
      // Nothing: an unknown type is a 400 before any upgrade.
    }
  },
  createKey: (c) => c.createKey({ name: '' }),
  listKeys: (c) => c.listKeys(),
  revokeKey: (c) => c.revokeKey('not-a-key-id'),
  createSession: (c) => c.createSession('not-a-token'),
  getSession: (c) => c.getSession(),
  deleteSession: (c) => c.deleteSession(),
  createWebhook: (c) => c.createWebhook({ url: 'ftp://drift.invalid/', events: ['*'] }),
  listWebhooks: (c) => c.listWebhooks(),
  deleteWebhook: (c) => c.deleteWebhook('drift-missing'),
  listWebhookDeliveries: (c) => c.listWebhookDeliveries('drift-missing'),
  redeliverWebhook: (c) => c.redeliverWebhook('drift-missing', 'drift-missing'),
  health: (c) => c.health(),
  sendWebhook: (c) => c.sendWebhook('github', '{}', { 'content-type': 'application/json' }),
  ready: (c) => c.ready(),
  metrics: (c) => c.metrics(),
  openApiDocument: (c) => c.openApiDocument(),
  uploadFile: (c) => c.uploadFile('drift-missing', 'f', (async function* () {})()),
  downloadFile: (c) => c.downloadFile('drift-missing', 'f'),
  statFile: (c) => c.statFile('drift-missing', 'f'),
  listFiles: (c) => c.listFiles('drift-missing', '.'),
  removeFile: (c) => c.removeFile('drift-missing', 'f'),
  makeDirectory: (c) => c.makeDirectory('drift-missing', 'd'),
  moveFile: (c) => c.moveFile('drift-missing', 'a', 'b'),
  signalExecution: (c) => c.signalExecution('drift-missing', 'SIGTERM'),
  listProcesses: (c) => c.listProcesses('drift-missing'),
  getVmUsage: (c) => c.getVmUsage('drift-missing'),
  createPreview: (c) => c.createPreview('drift-missing', 3000),
  listPreviews: (c) => c.listPreviews('drift-missing'),
  revokePreview: (c) => c.revokePreview('drift-missing', '00000000-0000-4000-8000-000000000000'),
  feedStdin: (c) => c.feedStdin('drift-missing', (async function* () {})()),
};

/** Client methods that are not bound to one operation, and why. */
const NOT_OPERATIONS: Record<string, string> = {
  request: 'raw escape hatch for any path under /api/v1',
  withSignal: 'the same client with an AbortSignal on its requests; makes none itself',
};

function operationsOf(doc: OpenApiDocument): { key: string; path: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([docPath, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${docPath}`, path: docPath, method, op })),
  );
}

const tableKey = (route: ApiRouteSpec) => `${route.method} ${route.path}`;

/** Resolves a local JSON pointer (`#/components/schemas/Vm`) in the document. */
function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Json)[part];
  }
  return node;
}

function collectRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, found);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else collectRefs(value, found);
    }
  }
  return found;
}

/** Which operation of the table a request made by the client is. */
function operationOfRequest(method: string, pathname: string): string | null {
  for (const id of OPERATION_IDS) {
    const route: ApiRouteSpec = API_ROUTES[id];
    const pattern = new RegExp(`^${route.path.replaceAll('.', '\\.').replaceAll(/\{\w+\}/g, '[^/]+')}$`);
    if (route.method === method && pattern.test(pathname)) return id;
  }
  return null;
}

/**
 * The requests the gateway answered, as its access log reports them (method and URL), whatever
 * the transport: plain HTTP, NDJSON, WebSocket upgrades.
 */
const answered: { method: string; url: string }[] = [];
const recordingLogger: Logger = {
  debug(obj, msg) {
    const { method, url } = obj as { method?: unknown; url?: unknown };
    if (msg === 'request' && typeof method === 'string' && typeof url === 'string')
      answered.push({ method, url });
  },
  info() {},
  warn() {},
  error() {},
  child: () => recordingLogger,
};

let node: RunningNode;
let dataDir: string;
let token: string | null;
let served: { text: string; doc: OpenApiDocument };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-openapi-'));
  const config = loadConfig({
    AETHER_DATA_DIR: dataDir,
    AETHER_PORT: '0',
    AETHER_LOG_LEVEL: 'silent',
    AETHER_WARM_POOL_SIZE: '0',
    AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
  });
  // The gateway alone: the document describes routes, not work, so no worker or sandbox is needed.
  node = await startNode(config, recordingLogger, { gateway: true, worker: false });
  token = node.localAdminKey;
  const res = await fetch(`${node.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  const text = await res.text();
  served = { text, doc: JSON.parse(text) as OpenApiDocument };
  // An embedded database opens slowly on a busy 2-core machine.
}, 120_000);

afterAll(async () => {
  await node?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the served OpenAPI document', () => {
  it('is OpenAPI 3 with info, a bearer scheme and a global security requirement', () => {
    const { doc } = served;
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('is the same document on every fetch, byte for byte, without credentials', async () => {
    const again = await fetch(`${node.url}/api/v1/openapi.json`);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(served.text);
  });

  it('resolves every $ref and has no empty schema where an answer should be', () => {
    const refs = collectRefs(served.doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(resolvePointer(served.doc, ref), ref).toBeDefined();
    // A transform in a response schema renders as `{}`: every component must say something.
    for (const [name, schema] of Object.entries(served.doc.components.schemas)) {
      expect(Object.keys(schema).length, `component ${name}`).toBeGreaterThan(0);
    }
  });

  it('declares every path parameter, as required, and none that is not in the path', () => {
    for (const { key, path: docPath, op } of operationsOf(served.doc)) {
      const inPath = [...docPath.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), key).toEqual(inPath);
      for (const parameter of declared) expect(parameter.required, `${key} ${parameter.name}`).toBe(true);
    }
  });

  it('gives every operation a unique operationId, a described answer and an error body', () => {
    const ids = new Set<string>();
    for (const { key, op } of operationsOf(served.doc)) {
      expect(op.operationId, key).toBeTruthy();
      expect(ids.has(op.operationId!), `duplicate operationId ${op.operationId}`).toBe(false);
      ids.add(op.operationId!);
      const responses = op.responses ?? {};
      const success = Object.keys(responses).filter((status) => /^2\d\d$/.test(status));
      expect(success.length, `${key} success answers`).toBeGreaterThan(0);
      for (const status of [...success, '4XX', '5XX']) {
        const media = Object.values(responses[status]?.content ?? {});
        expect(media.length, `${key} ${status} content`).toBeGreaterThan(0);
        for (const { schema } of media) expect(schema, `${key} ${status} schema`).toBeTruthy();
      }
    }
  });

  it('marks exactly the public operations with `security: []`', () => {
    for (const { key, op } of operationsOf(served.doc)) {
      const route = Object.values(API_ROUTES).find((r: ApiRouteSpec) => tableKey(r) === key) as
        | ApiRouteSpec
        | undefined;
      // A webhook's credential is its signature, not the bearer token.
      if (route?.access === 'public' || route?.access === 'signed') expect(op.security, key).toEqual([]);
      else expect(op.security, key).toBeUndefined();
    }
  });
});

describe('the document and the route table', () => {
  it('hold the same operations (method + path), under the same ids', () => {
    const inDocument = new Map(operationsOf(served.doc).map((o) => [o.key, o.op.operationId]));
    const inTable = new Map(OPERATION_IDS.map((id) => [tableKey(API_ROUTES[id]), id]));
    expect([...inDocument.keys()].sort()).toEqual([...inTable.keys()].sort());
    for (const [key, id] of inTable) expect(inDocument.get(key), key).toBe(id);
  });

  it('describe each answer with the schema the table names', () => {
    for (const id of OPERATION_IDS) {
      const route: ApiRouteSpec = API_ROUTES[id];
      const op = served.doc.paths[route.path]?.[route.method.toLowerCase()];
      const refOf = (status: string, media: string) =>
        op?.responses?.[status]?.content?.[media]?.schema?.$ref;
      for (const [status, answer] of Object.entries(route.answers)) {
        if (answer.json)
          expect(refOf(status, 'application/json'), `${id} ${status}`).toBe(SCHEMA_REF + answer.json);
        if (answer.ndjson) {
          expect(refOf(status, 'application/x-ndjson'), `${id} ${status}`).toBe(SCHEMA_REF + answer.ndjson);
        }
        if (answer.sse)
          expect(refOf(status, 'text/event-stream'), `${id} ${status}`).toBe(SCHEMA_REF + answer.sse);
        if (answer.text)
          expect(refOf(status, 'text/plain'), `${id} ${status}`).toBe(SCHEMA_REF + answer.text);
      }
      for (const status of ['4XX', '5XX']) {
        expect(refOf(status, 'application/json'), `${id} ${status}`).toBe(SCHEMA_REF + route.errors);
      }
    }
  });

  it('are what the gateway routes', () => {
    for (const id of OPERATION_IDS) {
      const route: ApiRouteSpec = API_ROUTES[id];
      expect(node.app!.hasRoute({ method: route.method, url: fastifyPath(route.path) }), id).toBe(true);
    }
  });
});

describe('the route table and the client', () => {
  it('every client method calls exactly one operation, and every operation has a client method', async () => {
    const methods = Object.getOwnPropertyNames(AetherClient.prototype).filter(
      (name) => name !== 'constructor' && !Object.hasOwn(NOT_OPERATIONS, name),
    );
    expect(methods.sort()).toEqual(Object.keys(CLIENT_CALLS).sort());

    const client = new AetherClient({ baseUrl: node.url!, ...(token ? { token } : {}) });
    const called = new Map<string, string>();
    for (const [method, call] of Object.entries(CLIENT_CALLS)) {
      const before = answered.length;
      await call(client).catch(() => {
        // Refused or not found, as intended: only the request it made matters.
      });
      // The access log is written once the answer is sent, so it may trail the client a little.
      for (let i = 0; i < 100 && answered.length === before; i++) await new Promise((r) => setTimeout(r, 10));
      const requests = answered.slice(before);
      expect(requests.length, `${method} requests`).toBe(1);
      const { method: verb, url } = requests[0]!;
      const operation = operationOfRequest(verb, new URL(url, node.url!).pathname);
      expect(operation, `${method}: ${verb} ${url}`).not.toBeNull();
      called.set(method, operation!);
    }
    expect([...new Set(called.values())].sort()).toEqual([...OPERATION_IDS].sort());
  });
});

describe('the SDK', () => {
  it('has wire types generated from this document (run `npm run sdk:types` after an API change)', async () => {
    const files = await renderSdkTypes(served.doc);
    const generated = path.join(ROOT, 'packages/sdk/src/generated');
    expect(readFileSync(path.join(generated, 'openapi.ts'), 'utf8')).toBe(files.openapi);
    expect(readFileSync(path.join(generated, 'routes.ts'), 'utf8')).toBe(files.routes);
  });
});

describe('the interactive docs', () => {
  it('serve HTML at /docs without credentials, reading the served document', async () => {
    const page = await fetch(`${node.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/swagger-ui/i);
    const init = await fetch(`${node.url}/docs/static/swagger-initializer.js`);
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('/api/v1/openapi.json');
    // Swagger UI's own script and styles come from the npm package, on this gateway.
    const bundle = await fetch(`${node.url}/docs/static/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    // Read to the end: an unread answer keeps its connection busy and the gateway's close waiting.
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('let the page fetch the document under their own content security policy', async () => {
    const page = await fetch(`${node.url}/docs`);
    const policy = page.headers.get('content-security-policy') ?? '';
    await page.arrayBuffer();
    expect(policy).toMatch(/connect-src 'self'|default-src 'self'/);
    expect(policy).not.toMatch(/upgrade-insecure-requests/);
  });
});
