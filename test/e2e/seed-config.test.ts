/**
 * Config of the Go version starts a real node: its example.yaml, config.yaml and production.yaml
 * (copies with only the connection values changed, see seed-config/README.md), and its
 * POSTGRES_* and REDIS_ADDR variables alone for a gateway and a worker in separate processes.
 * Each node answers /api/v1/health, runs a command in a VM, and says once per key or variable
 * of the Go version's what to write instead. Every node has a database of its own and a
 * redis-server of its own. A start that fails on such config names the old keys or variables
 * to fix, in one line.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AetherClient } from '@aetherium/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument } from 'yaml';
import { findGatewayKey } from '../../src/core/credentials-file.js';
import { CONFIG_OPTIONS } from '../../src/runtime/config.js';
import { parseConfigFile } from '../../src/runtime/config-file.js';
import { PrivateRedis } from '../fault/services.js';
import { POSTGRES_URL, postgresAvailable, requireBackend } from '../support/backends.js';
import { type FakeLoki, startFakeLoki } from '../support/fake-loki.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { type ThrowawayDatabase, throwawayDatabase } from '../support/throwaway-database.js';
import { EXAMPLE_YAML_KEYS } from './seed-config/example-keys.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'test/support/cli-entry.ts');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const FIXTURES = path.join(ROOT, 'test/e2e/seed-config');
/** Start-up from source through tsx, with migrations, on a busy machine. */
const READY_WITHIN_MS = 60_000;

const redisServer = spawnSync('redis-server', ['--version']).status === 0;
const canRun =
  (await sandboxesAvailable('Go-version config')) &&
  (await postgresAvailable()) &&
  (await requireBackend(
    'redis-server',
    redisServer,
    'redis-server is not installed (apt-get install redis-server)',
  ));

const pg = new URL(POSTGRES_URL);
const secrets = {
  GITHUB_TOKEN: 'ghp_seedconfigtest',
  GITHUB_WEBHOOK_SECRET: 'seed-config-hook-secret',
  SLACK_BOT_TOKEN: 'xoxb-seed-config-test',
  SLACK_SIGNING_SECRET: 'seed-config-signing-secret',
};

/** Variables the Go version read: a node reads them too, so the test run's own must not leak in. */
const GO_VARIABLES =
  /^(POSTGRES_|DB_HOST$|DB_PASSWORD$|REDIS_ADDR$|REDIS_PASSWORD$|LOKI_URL$|PORT$|WORKER_|CONSUL_|HEARTBEAT_INTERVAL_SECONDS$|IDLE_CHECK_INTERVAL_SECONDS$|KERNEL_PATH$|ROOTFS_TEMPLATE$|SOCKET_DIR$|DEFAULT_VCPU$|DEFAULT_MEMORY_MB$|WORKSPACE_ENCRYPTION_KEY$|AETHERIUM_)/;

/** The environment of a fresh shell: none of the test run's own settings leak in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('AETHER_') || key === 'DATABASE_URL' || key === 'REDIS_URL') continue;
    if (GO_VARIABLES.test(key)) continue;
    if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `text` with the lines numbered in `edits` replaced; each must read as the original given,
 * so a fixture that changed fails here rather than starting something else.
 */
function editLines(text: string, edits: Record<number, [string, string]>): string {
  const lines = text.split('\n');
  for (const [number, [original, replacement]] of Object.entries(edits)) {
    expect(lines[Number(number) - 1], `line ${number}`).toBe(original);
    lines[Number(number) - 1] = replacement;
  }
  return lines.join('\n');
}

/** Every key path of a YAML file whose value is not a map: what a notice must cover. */
function leafKeys(text: string): string[] {
  const doc = parseDocument(text);
  const out: string[] = [];
  const walk = (prefix: string, node: unknown) => {
    if (!isMap(node)) {
      out.push(prefix);
      return;
    }
    for (const pair of node.items)
      walk(
        prefix
          ? `${prefix}.${String((pair.key as { value: unknown }).value)}`
          : String(isScalar(pair.key) ? pair.key.value : ''),
        pair.value,
      );
  };
  walk('', doc.contents);
  return out;
}

/** The subjects of the deprecation lines in `stderr`, in order (pretty or JSON lines alike). */
function deprecated(stderr: string): string[] {
  return [...stderr.matchAll(/deprecated (?:key|value|variable) ([A-Za-z0-9_.]+)/g)].map(
    (match) => match[1]!,
  );
}

interface RunningNode {
  child: ChildProcess;
  /** Gateway URL, from the banner (null for a worker). */
  url: string | null;
  output(): { stdout: string; stderr: string };
  stop(): Promise<void>;
}

/** Starts `aether ARGS` and waits for its banner; throws with its output if it exits first. */
async function startAether(args: string[], env: Record<string, string>, cwd: string): Promise<RunningNode> {
  const child = spawn(process.execPath, ['--import', TSX, ENTRY, ...args], {
    cwd,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(killer);
  };
  const deadline = Date.now() + READY_WITHIN_MS;
  while (!stdout.includes('Ctrl-C')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`aether ${args.join(' ')} did not start\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /gateway: (http:\/\/\S+)\/api\/v1/.exec(stdout)?.[1] ?? null;
  return { child, url, output: () => ({ stdout, stderr }), stop };
}

/** Runs `aether ARGS` to its exit. */
function runAether(args: string[], env: Record<string, string>, cwd: string) {
  const run = spawnSync(process.execPath, ['--import', TSX, ENTRY, ...args], {
    cwd,
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: READY_WITHIN_MS,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Health, then a VM with a command in it, through the gateway with its saved admin key. */
async function expectWorkingNode(url: string, credentials: string, vmName: string) {
  const health = await fetch(`${url}/api/v1/health`);
  expect(health.status).toBe(200);
  const token = findGatewayKey(credentials, url);
  expect(token, `a key for ${url} in ${credentials}`).toBeTruthy();
  const client = new AetherClient({ baseUrl: url, token: token! });
  const created = await client.createVm({ name: vmName }, { wait: true });
  expect(created.vm.status).toBe('running');
  const ran = await client.execute(
    vmName,
    { command: 'sh', args: ['-c', 'echo "seed $((20 + 22))"'] },
    { wait: true },
  );
  expect(ran.execution).toMatchObject({ exit_code: 0, stdout: 'seed 42\n' });
  await client.deleteVm(vmName, { wait: true });
  return created.vm;
}

describe.skipIf(!canRun)("a node on the Go version's config", () => {
  let dir = '';
  let redis: PrivateRedis | null = null;
  let loki: FakeLoki | null = null;
  let database: ThrowawayDatabase | null = null;
  const nodes: RunningNode[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aether-seed-config-'));
    // Reachable by the unprivileged sandbox uid when tests run as root.
    chmodSync(dir, 0o711);
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop();
    await redis?.destroy();
    await loki?.close();
    await database?.drop();
    redis = null;
    loki = null;
    database = null;
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A data dir, a credentials file, a database and a redis-server of this case's own. */
  async function prepare(name: string) {
    const caseDir = mkdtempSync(path.join(dir, `${name}-`));
    chmodSync(caseDir, 0o711);
    database = throwawayDatabase(`aether_seed_${name}`);
    await database.create();
    redis = await PrivateRedis.create(
      'redis-server',
      path.join(caseDir, 'redis'),
      path.join(caseDir, 'redis.log'),
    );
    const credentials = path.join(caseDir, 'credentials.json');
    const env = { AETHER_CREDENTIALS_FILE: credentials, AETHER_WARM_POOL_SIZE: '0' };
    return { caseDir, credentials, env, database, redis };
  }

  /** The lines of example.yaml and production.yaml that name PostgreSQL, for this test's server. */
  function databaseEdits(first: number, name: string): Record<number, [string, string]> {
    return {
      [first]: ['  host: localhost', `  host: ${pg.hostname}`],
      [first + 1]: ['  port: 5432', `  port: ${pg.port || '5432'}`],
      [first + 2]: ['  user: aetherium', `  user: ${decodeURIComponent(pg.username) || 'postgres'}`],
      [first + 4]: ['  database: aetherium', `  database: ${name}`],
    };
  }

  it('example.yaml: refused with the fix named while it asks for Firecracker, started with --driver process', async () => {
    const { caseDir, credentials, env, database: db, redis: cache } = await prepare('example');
    const text = editLines(readFileSync(path.join(FIXTURES, 'example.yaml'), 'utf8'), {
      ...databaseEdits(7, db.name),
      17: ['  addr: localhost:6379', `  addr: 127.0.0.1:${cache.port}`],
    });
    writeFileSync(path.join(caseDir, 'example.yaml'), text);
    const args = ['up', '--config', 'example.yaml', '--port', '0', '--data-dir', path.join(caseDir, 'data')];

    if (spawnSync('firecracker', ['--version']).status !== 0) {
      const refused = runAether(args, env, caseDir);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(
        /aether: ERR_PREFLIGHT_FAILED: this host cannot run Firecracker VMs: .*fix: /,
      );
    }

    const node = await startAether([...args, '--driver', 'process'], env, caseDir);
    nodes.push(node);
    const { stdout, stderr } = node.output();
    expect(stdout).toContain(`store: PostgreSQL at ${pg.hostname}:${pg.port || '5432'}`);
    expect(stdout).toContain(`queue: BullMQ on Redis at 127.0.0.1:${cache.port}`);
    expect(stdout).toMatch(/worker: \S+ \(concurrency 10\)/);
    await expectWorkingNode(node.url!, credentials, 'seed-example');
    expect(deprecated(stderr)).toEqual(EXAMPLE_YAML_KEYS);
    // logging.format: text became pretty: one readable line per record, not JSON.
    expect(stderr).toMatch(
      /WARN .*deprecated key database\.host \(example\.yaml:7\): write storage\.database_url: postgres:\/\/\S+:\*\*\*@/,
    );
  }, 180_000);

  /** Every key of the file that is not ours is covered by exactly one line the node printed. */
  function expectOneLinePerKey(stderr: string, text: string, env: Record<string, string>) {
    const printed = deprecated(stderr);
    expect(new Set(printed).size, printed.join('\n')).toBe(printed.length);
    const ours = new Set<string>(Object.values(CONFIG_OPTIONS).map((option) => option.file));
    for (const key of leafKeys(text).filter((k) => !ours.has(k))) {
      expect(
        printed.some((subject) => key === subject || key.startsWith(`${subject}.`)),
        `a line for ${key}`,
      ).toBe(true);
    }
    const parsed = parseConfigFile(text, 'x.yaml', env).notices.map((notice) => notice.subject);
    expect(printed.filter((subject) => parsed.includes(subject))).toEqual(parsed);
  }

  it('config.yaml: as it is, its addresses from the DATABASE_URL, REDIS_URL and LOKI_URL it substitutes', async () => {
    const { caseDir, credentials, env, database: db, redis: cache } = await prepare('config');
    loki = await startFakeLoki();
    const fileEnv = {
      ...secrets,
      GITHUB_APP_ID: '',
      GITHUB_INSTALLATION_ID: '',
      DATABASE_URL: db.url,
      REDIS_URL: cache.url,
      LOKI_URL: loki.url,
    };
    const node = await startAether(
      [
        'up',
        '--config',
        path.join(FIXTURES, 'config.yaml'),
        '--port',
        '0',
        '--data-dir',
        path.join(caseDir, 'data'),
        '--driver',
        'process',
      ],
      { ...env, ...fileEnv },
      caseDir,
    );
    nodes.push(node);
    const { stdout, stderr } = node.output();
    expect(stdout).toMatch(/integrations: .*github/);
    await expectWorkingNode(node.url!, credentials, 'seed-config');
    expectOneLinePerKey(stderr, readFileSync(path.join(FIXTURES, 'config.yaml'), 'utf8'), fileEnv);
    expect(deprecated(stderr)).toContain('LOKI_URL');
    // logging.config.loki took effect: the node's own lines reach Loki.
    const deadline = Date.now() + 15_000;
    while (loki.entries.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(loki.entries.length).toBeGreaterThan(0);
  }, 180_000);

  it('production.yaml: API, tools, events, integrations and observability keys, Loki on', async () => {
    const { caseDir, credentials, env, database: db, redis: cache } = await prepare('production');
    loki = await startFakeLoki();
    const text = editLines(readFileSync(path.join(FIXTURES, 'production.yaml'), 'utf8'), {
      ...databaseEdits(9, db.name),
      14: ['  sslmode: require', '  sslmode: disable'],
      19: ['  addr: localhost:6379', `  addr: 127.0.0.1:${cache.port}`],
      48: ['    url: http://localhost:3100', `    url: ${loki.url}`],
      78: ['    addr: localhost:6379', `    addr: 127.0.0.1:${cache.port}`],
    });
    writeFileSync(path.join(caseDir, 'production.yaml'), text);
    const fileEnv = {
      ...secrets,
      DB_PASSWORD: 'unused-under-trust',
      REDIS_PASSWORD: '',
      JWT_SECRET: 'j'.repeat(40),
    };
    const node = await startAether(
      [
        'up',
        '--config',
        'production.yaml',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--metrics-port',
        '0',
        '--data-dir',
        path.join(caseDir, 'data'),
        '--driver',
        'process',
      ],
      { ...env, ...fileEnv },
      caseDir,
    );
    nodes.push(node);
    const { stdout, stderr } = node.output();
    expect(stdout).toContain(`events: Redis at 127.0.0.1:${cache.port}`);
    expect(stdout).toMatch(/worker: \S+ \(concurrency 20\)/);
    expect(stdout).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/auth: API keys and JWTs/);
    await expectWorkingNode(node.url!, credentials, 'seed-production');
    expectOneLinePerKey(stderr, text, fileEnv);
    expect(deprecated(stderr)).toContain('DB_PASSWORD');
    expect(stderr).not.toContain(fileEnv.JWT_SECRET);
    expect(stderr).not.toContain(secrets.GITHUB_TOKEN);
    const preflight = await fetch(`${node.url}/api/v1/health`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.aetherium.io', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.aetherium.io');
  }, 180_000);

  it('POSTGRES_* and REDIS_ADDR alone put a gateway and a worker on one cluster', async () => {
    const { caseDir, credentials, env, database: db, redis: cache } = await prepare('env');
    const cluster = {
      ...env,
      POSTGRES_HOST: pg.hostname,
      POSTGRES_PORT: pg.port || '5432',
      POSTGRES_USER: decodeURIComponent(pg.username) || 'postgres',
      POSTGRES_PASSWORD: decodeURIComponent(pg.password) || 'unused-under-trust',
      POSTGRES_DB: db.name,
      REDIS_ADDR: `127.0.0.1:${cache.port}`,
    };
    const port = await freePort();
    const gateway = await startAether(
      ['gateway', '--data-dir', path.join(caseDir, 'gateway')],
      { ...cluster, PORT: String(port) },
      caseDir,
    );
    nodes.push(gateway);
    expect(gateway.url).toBe(`http://127.0.0.1:${port}`);
    const worker = await startAether(
      ['worker', '--data-dir', path.join(caseDir, 'worker')],
      { ...cluster, WORKER_ID: 'seed-env-worker' },
      caseDir,
    );
    nodes.push(worker);
    const vm = await expectWorkingNode(gateway.url!, credentials, 'seed-env');
    expect(vm.worker_id).toBe('seed-env-worker');
    const postgres = ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'];
    expect(deprecated(gateway.output().stderr)).toEqual([...postgres, 'REDIS_ADDR', 'PORT']);
    expect(deprecated(worker.output().stderr)).toEqual([...postgres, 'REDIS_ADDR', 'WORKER_ID']);
    expect(gateway.output().stdout).toContain(`store: PostgreSQL at ${pg.hostname}:${pg.port || '5432'}`);
  }, 180_000);
});

describe("start-up failures on the Go version's config name its keys", () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aether-seed-config-fail-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The one `aether: ERR_...` line a failed start ends with. */
  function failure(run: ReturnType<typeof runAether>): string {
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toContain('    at ');
    return run.stderr.trim().split('\n').at(-1)!;
  }

  it('an unreachable database set by database.*', () => {
    writeFileSync(
      path.join(dir, 'unreachable.yaml'),
      'database:\n  host: 127.0.0.1\n  port: 1\n  user: postgres\n',
    );
    const run = runAether(['migrate', '--config', 'unreachable.yaml'], { AETHER_LOG_LEVEL: 'warn' }, dir);
    expect(failure(run)).toBe(
      'aether: ERR_STORE_UNAVAILABLE: cannot reach PostgreSQL at 127.0.0.1:1 (connection refused); check unreachable.yaml:database.host, database.port, database.user',
    );
    expect(deprecated(run.stderr)).toEqual(['database.host', 'database.port', 'database.user']);
  });

  it('an unreachable database set by POSTGRES_*', () => {
    const run = runAether(['migrate'], { POSTGRES_HOST: '127.0.0.1', POSTGRES_PORT: '1' }, dir);
    expect(failure(run)).toBe(
      'aether: ERR_STORE_UNAVAILABLE: cannot reach PostgreSQL at 127.0.0.1:1 (connection refused); check POSTGRES_HOST, POSTGRES_PORT',
    );
  });

  it('a backend we do not have', () => {
    writeFileSync(path.join(dir, 'mysql.yaml'), 'storage:\n  provider: mysql\n');
    expect(failure(runAether(['up', '--config', 'mysql.yaml'], {}, dir))).toBe(
      'aether: ERR_CONFIG: config file mysql.yaml:2: storage.provider is mysql: the store is PostgreSQL (storage.database_url) or embedded',
    );
  });
});
