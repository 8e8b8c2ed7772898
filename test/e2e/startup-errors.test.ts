/**
 * Start-up as an operator meets it: the real `aether` CLI in its own process, with a config file
 * or env vars that point at nothing, at the wrong thing or at a broken file. Each failure must
 * be one line naming what to fix, no stack trace, a non-zero exit, within seconds.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, postgresAvailable, REDIS_URL, redisAvailable } from '../support/backends.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'test/support/cli-entry.ts');
/** By path: the CLI runs in a temporary directory, where `--import tsx` would not resolve. */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const CREDENTIALS = path.join(os.tmpdir(), `aether-startup-credentials-${process.pid}.json`);

/** The environment of a fresh shell: none of our settings leak in from the test run. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('AETHER_') || key === 'DATABASE_URL' || key === 'REDIS_URL') continue;
    env[key] = value;
  }
  // A gateway that gets as far as listening saves its admin key: never into the user's home.
  return { ...env, AETHER_LOG_LEVEL: 'warn', AETHER_CREDENTIALS_FILE: CREDENTIALS, ...extra };
}

/** Runs `aether ARGS`; `until` ends a server once its banner shows (SIGTERM), else it must exit. */
function aether(
  args: string[],
  options: { env?: Record<string, string>; cwd: string; until?: RegExp },
): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, ENTRY, ...args], {
      cwd: options.cwd,
      env: cleanEnv(options.env ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (options.until?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Exit 1, one line on stderr matching `message`, no stack trace, within `budgetMs`. */
function expectOneLineFailure(run: Run, message: RegExp, budgetMs = 10_000): void {
  const context = JSON.stringify(run);
  expect(run.code, context).toBe(1);
  expect(run.stderr, context).not.toContain('    at ');
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines, context).toHaveLength(1);
  expect(lines[0], context).toMatch(/^aether: ERR_[A-Z_]+: /);
  expect(lines[0], context).toMatch(message);
  expect(run.ms, context).toBeLessThan(budgetMs);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const hasPostgres = await postgresAvailable();
const hasRedis = await redisAvailable();

let dir = '';
const file = (name: string, text: string) => {
  writeFileSync(path.join(dir, name), text);
  return name;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'aether-startup-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('start-up failures are one clear line', () => {
  it('an embedded data dir another live process holds', async () => {
    const dataDir = mkdtempSync(path.join(dir, 'held-'));
    mkdirSync(path.join(dataDir, 'db'));
    // What a running `aether up` leaves there: its lock, naming a live process.
    const holder = spawn('sleep', ['30']);
    await new Promise((resolve) => holder.once('spawn', resolve));
    writeFileSync(path.join(dataDir, 'db', 'aether.lock'), `${holder.pid}\n`);
    try {
      const run = await aether(['up'], {
        cwd: dir,
        env: { AETHER_DATA_DIR: dataDir, AETHER_PORT: String(await freePort()) },
      });
      expectOneLineFailure(run, new RegExp(`in use by process ${holder.pid} .*remove .*aether\\.lock`));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('PostgreSQL on a port where nothing listens', async () => {
    const run = await aether(['migrate'], {
      cwd: dir,
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' },
    });
    expectOneLineFailure(
      run,
      /ERR_STORE_UNAVAILABLE: cannot reach PostgreSQL at 127\.0\.0\.1:1 \(connection refused\); check DATABASE_URL$/,
    );
  });

  it('PostgreSQL on a host that does not exist, set in a config file', async () => {
    const config = file(
      'pg-host.yaml',
      'storage:\n  database_url: postgres://postgres@no-such-host.invalid/test\n',
    );
    const run = await aether(['gateway', '--config', config], {
      cwd: dir,
      env: { REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expectOneLineFailure(
      run,
      /cannot reach PostgreSQL at no-such-host\.invalid:5432 \(host name (not found|lookup failed)\); check pg-host\.yaml:storage\.database_url$/,
    );
  });

  it.skipIf(!hasPostgres)('a PostgreSQL database that does not exist', async () => {
    const url = new URL(POSTGRES_URL);
    url.pathname = '/aether_no_such_database';
    const run = await aether(['migrate'], { cwd: dir, env: { DATABASE_URL: url.href } });
    expectOneLineFailure(
      run,
      /ERR_CONFIG: PostgreSQL at \S+ has no such database \(database "aether_no_such_database" does not exist\); check DATABASE_URL$/,
    );
  });

  it.skipIf(!hasPostgres)('Redis on a port where nothing listens', async () => {
    const run = await aether(['worker'], {
      cwd: dir,
      env: { DATABASE_URL: POSTGRES_URL, REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expectOneLineFailure(
      run,
      /ERR_QUEUE_UNAVAILABLE: cannot reach Redis at 127\.0\.0\.1:1 \(connection refused\); check REDIS_URL$/,
    );
  });

  it.skipIf(!hasPostgres || !hasRedis)('a Redis database index that does not exist', async () => {
    const url = new URL(REDIS_URL);
    url.pathname = '/9999';
    const run = await aether(['gateway'], {
      cwd: dir,
      env: { DATABASE_URL: POSTGRES_URL, REDIS_URL: url.href },
    });
    expectOneLineFailure(run, /ERR_CONFIG: Redis at \S+ has no such database .*; check REDIS_URL$/);
  });

  it('a URL with the wrong scheme', async () => {
    const run = await aether(['gateway'], {
      cwd: dir,
      env: { DATABASE_URL: 'mysql://root:secret@127.0.0.1/test', REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expectOneLineFailure(
      run,
      /^aether: ERR_CONFIG: invalid configuration: databaseUrl \(DATABASE_URL="mysql:\/\/root:\*\*\*@127\.0\.0\.1\/test"\): must be a postgres:\/\/ URL$/,
    );
  });

  it('a gateway or a worker without the cluster it belongs to', async () => {
    // Each alone over an embedded store and queue would never meet the other: tasks would wait forever.
    for (const role of ['gateway', 'worker']) {
      const run = await aether([role, '--port', '0', '--data-dir', `alone-${role}`], { cwd: dir });
      expectOneLineFailure(
        run,
        new RegExp(
          `^aether: ERR_CONFIG: aether ${role} is part of a cluster and needs both DATABASE_URL and REDIS_URL \\(neither is set\\); for one node with an embedded store and queue, run \`aether up\`$`,
        ),
      );
      expect(existsSync(path.join(dir, `alone-${role}`)), 'nothing is created').toBe(false);
    }
  });

  it('DATABASE_URL without REDIS_URL', async () => {
    const run = await aether(['worker'], {
      cwd: dir,
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' },
    });
    expectOneLineFailure(run, /needs both DATABASE_URL and REDIS_URL \(REDIS_URL is not set\)/);
  });

  it('a config file that is not valid YAML', async () => {
    const config = file('bad.yaml', 'server:\n  port: 8080\n  host: [127.0.0.1\n');
    const run = await aether(['up', '--config', config], { cwd: dir });
    expectOneLineFailure(run, /^aether: ERR_CONFIG: config file bad\.yaml:\d+:\d+: /);
  });

  it('a config file with an unknown key', async () => {
    const config = file('typo.yaml', 'server:\n  port: 8080\nworker:\n  concurency: 4\n');
    const run = await aether(['migrate', '--config', config], { cwd: dir });
    expectOneLineFailure(
      run,
      /^aether: ERR_CONFIG: config file typo\.yaml:4: unknown key worker\.concurency \(did you mean worker\.concurrency\?\)$/,
    );
  });

  it('a config file with a value of the wrong type, or an unset variable', async () => {
    const wrong = file('wrong.yaml', 'server:\n  port: [8080]\n');
    expectOneLineFailure(
      await aether(['migrate', '--config', wrong], { cwd: dir }),
      /invalid configuration: port \(wrong\.yaml:server\.port=\[8080\]\): expected a number$/,
    );
    const unset = file('unset.yaml', `storage:\n  database_url: \${AETHER_TEST_UNSET_URL}\n`);
    expectOneLineFailure(
      await aether(['migrate', '--config', unset], { cwd: dir }),
      /unset\.yaml:2 \(storage\.database_url\): environment variable AETHER_TEST_UNSET_URL is not set/,
    );
  });

  it('a config file that does not exist (named by AETHER_CONFIG)', async () => {
    const run = await aether(['migrate'], { cwd: dir, env: { AETHER_CONFIG: 'missing.yaml' } });
    expectOneLineFailure(run, /config file missing\.yaml does not exist; check --config or AETHER_CONFIG$/);
  });

  it('a gateway beyond loopback with auth off', async () => {
    const run = await aether(['up', '--host', '0.0.0.0', '--port', '0', '--data-dir', 'exposed'], {
      cwd: dir,
      env: { AETHER_AUTH: 'off', AETHER_WARM_POOL_SIZE: '0' },
    });
    expectOneLineFailure(
      run,
      /ERR_CONFIG: refusing to listen on 0\.0\.0\.0 with auth off: .*set AETHER_AUTH=on/,
    );
  }, 40_000);

  it('a Docker engine that does not answer, for a node that runs the docker driver', async () => {
    const run = await aether(['up', '--driver', 'docker', '--port', '0', '--data-dir', 'no-docker'], {
      cwd: dir,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', AETHER_WARM_POOL_SIZE: '0' },
    });
    expectOneLineFailure(
      run,
      /ERR_ISOLATION_UNAVAILABLE: Docker engine not reachable at unix:\/\/\/nonexistent\/docker\.sock \(ENOENT\).*; check DOCKER_HOST$/,
      // The embedded database opens (seconds, on a loaded machine) before the drivers.
      25_000,
    );
  }, 40_000);

  it('a host that fails the Firecracker preflight, for a node that runs the firecracker driver', async () => {
    const run = await aether(['up', '--driver', 'firecracker', '--port', '0', '--data-dir', 'no-fc'], {
      cwd: dir,
      env: {
        AETHER_FIRECRACKER_BIN: '/nonexistent/firecracker',
        AETHER_FIRECRACKER_JAILER: 'false',
        AETHER_WARM_POOL_SIZE: '0',
      },
    });
    expectOneLineFailure(
      run,
      /ERR_PREFLIGHT_FAILED: this host cannot run Firecracker VMs: firecracker binary: \/nonexistent\/firecracker not found .*\(fix: .*AETHER_FIRECRACKER_BIN.*guest kernel: no guest kernel configured \(fix: build one with `aether image kernel`.*; `aether doctor` lists every check$/,
      25_000,
    );
  }, 40_000);
});

describe('a config file is honoured', () => {
  it('migrate uses the data dir the file names, relative to the file', async () => {
    const config = file('migrate.yaml', 'storage:\n  data_dir: ./from-file\n');
    const run = await aether(['migrate', '--config', config], {
      cwd: dir,
      env: { AETHER_DATA_DIR: path.join(dir, 'from-env') },
    });
    expect(run.code, JSON.stringify(run)).toBe(0);
    expect(run.stdout).toBe(
      `config: ${path.join(dir, config)}\nmigrated the embedded database in ${path.join(dir, 'from-file', 'db')}\n`,
    );
    expect(existsSync(path.join(dir, 'from-env'))).toBe(false);
  }, 60_000);

  it('a gateway listens on the port the file sets, over the env var; a flag beats both', async () => {
    const [filePort, flagPort] = [await freePort(), await freePort()];
    const config = file(
      'gateway.yaml',
      `server:\n  port: \${GATEWAY_PORT}\nstorage:\n  data_dir: ./gw\nvmm:\n  warm_pool_size: 0\n`,
    );
    const env = { GATEWAY_PORT: String(filePort), AETHER_PORT: '1' };
    const fromFile = await aether(['up', '--config', config], { cwd: dir, env, until: /Ctrl-C/ });
    expect(fromFile.stdout, JSON.stringify(fromFile)).toContain(`config: ${path.join(dir, config)}\n`);
    expect(fromFile.stdout).toContain(`gateway: http://127.0.0.1:${filePort}/api/v1`);
    expect(fromFile.stdout).toContain(`store: embedded PostgreSQL (PGlite) in ${path.join(dir, 'gw', 'db')}`);

    const fromFlag = await aether(['up', '--config', config, '--port', String(flagPort)], {
      cwd: dir,
      env,
      until: /Ctrl-C/,
    });
    expect(fromFlag.stdout, JSON.stringify(fromFlag)).toContain(
      `gateway: http://127.0.0.1:${flagPort}/api/v1`,
    );
  }, 60_000);

  it('a port already in use is one line naming where the port was set', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const config = file(
        'busy.yaml',
        `server:\n  port: ${port}\nstorage:\n  data_dir: ./busy\nvmm:\n  warm_pool_size: 0\n`,
      );
      const run = await aether(['up', '--config', config], { cwd: dir });
      expectOneLineFailure(
        run,
        new RegExp(
          `cannot listen on 127\\.0\\.0\\.1:${port} \\(address already in use\\); check busy\\.yaml:server\\.port$`,
        ),
        // The embedded database opens (seconds, on a loaded machine) before the gateway listens.
        20_000,
      );
    } finally {
      blocker.close();
    }
  }, 30_000);
});
