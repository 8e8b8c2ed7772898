/**
 * A throwaway distributed cluster for the bench: a fresh PostgreSQL database and an empty Redis
 * logical database on the servers of DATABASE_URL / REDIS_URL, then `aether migrate`, one
 * `aether gateway` and two `aether worker` processes (the built CLI, argv arrays, no shell).
 * Everything is removed again by `stop()`, also after a failure half-way.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherApiError, AetherClient } from '@aetherium/sdk';
import { Redis } from 'ioredis';
import pg from 'pg';
import { probePostgres, probeRedis, serverAddress } from '../src/runtime/backends.js';
import { freePort, childEnv as inheritedEnv } from './child-env.js';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Redis logical databases the bench may take; it uses an empty one and empties it again. */
const REDIS_DBS = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 40_000;

export const WORKER_IDS = ['bench-w1', 'bench-w2'] as const;

/** The distributed section cannot run here; `reason` says why, in words. */
export class BenchSkip extends Error {}

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  describe: string;
  close(): Promise<void>;
}

export interface Cluster {
  client: AetherClient;
  url: string;
  /** True when GET /workers listed both workers active; false when it is not served (404). */
  workersListed: boolean;
  stop(): Promise<void>;
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/** An empty logical database from REDIS_DBS, tried in random order; its URL. */
async function claimRedisDb(baseUrl: string): Promise<string> {
  const redis = new Redis(baseUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const order = [...REDIS_DBS].sort(() => Math.random() - 0.5);
    for (const db of order) {
      await redis.select(db);
      if ((await redis.dbsize()) !== 0) continue;
      await redis.flushdb();
      const url = new URL(baseUrl);
      url.pathname = `/${db}`;
      return url.toString();
    }
    throw new BenchSkip(`no empty Redis database among ${REDIS_DBS[0]}-${REDIS_DBS.at(-1)}`);
  } finally {
    redis.disconnect();
  }
}

async function flushRedisDb(url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/**
 * A fresh database `aether_bench_<random>` on the DATABASE_URL server and an empty Redis
 * logical database; throws BenchSkip when a server does not answer.
 */
export async function openServices(env: NodeJS.ProcessEnv): Promise<Services> {
  const baseDbUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const baseRedisUrl = env.REDIS_URL || DEFAULT_REDIS_URL;
  const adminUrl = new URL(baseDbUrl);
  adminUrl.pathname = '/postgres';
  try {
    await probePostgres(adminUrl.toString(), 3000);
    await probeRedis(baseRedisUrl, 'redisUrl', 3000);
  } catch (error) {
    throw new BenchSkip((error as Error).message);
  }
  const name = `aether_bench_${randomBytes(6).toString('hex')}`;
  const redisUrl = await claimRedisDb(baseRedisUrl);
  try {
    await adminQuery(adminUrl.toString(), `CREATE DATABASE ${name}`);
  } catch (error) {
    await flushRedisDb(redisUrl).catch(() => {});
    throw new BenchSkip(
      `cannot create a database on ${serverAddress(baseDbUrl, 5432)}: ${(error as Error).message}`,
    );
  }
  const databaseUrl = new URL(baseDbUrl);
  databaseUrl.pathname = `/${name}`;
  return {
    databaseUrl: databaseUrl.toString(),
    redisUrl,
    describe: `PostgreSQL ${serverAddress(baseDbUrl, 5432)}/${name}, Redis ${serverAddress(redisUrl, 6379)}${new URL(redisUrl).pathname}`,
    async close() {
      await adminQuery(adminUrl.toString(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await flushRedisDb(redisUrl).catch(() => {});
    },
  };
}

/** Only our settings reach the cluster, logging warnings and worse. */
/**
 * BENCH_PROFILE_DIR=<dir> writes a CPU profile of every cluster process there when it exits
 * (`--cpu-prof`), to see where a distributed execution's time goes.
 */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const NODE_ARGS = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return inheritedEnv({ AETHER_LOG_LEVEL: 'warn', ...extra });
}

interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startProc(bin: string, name: string, role: string, env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [...NODE_ARGS, bin, role], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, output: () => tail, exited };
}

async function until<T>(what: string, procs: Proc[], check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const dead = procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${dead.output()}`);
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopProc(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await proc.exited;
  clearTimeout(timer);
}

/**
 * Migrates the database, then starts one gateway and two workers, and waits until the gateway
 * is healthy and both workers are consuming (their banner) and, where GET /workers exists,
 * listed active there.
 */
/** `bin` is the `aether` binary to run (bench/cli-package.ts: the checkout as it is now). */
export async function startCluster(services: Services, bin: string): Promise<Cluster> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'aether-bench-'));
  // Reachable by the unprivileged sandbox uid when the bench runs as root, like the test node.
  chmodSync(tmp, 0o711);
  // On loopback, without keys (allowed there): the figure is the dispatch path, not auth.
  const base = {
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    AETHER_AUTH: 'off',
    AETHER_RATE_LIMIT_MAX: '100000000',
  };
  const dataDir = (name: string) => {
    const dir = path.join(tmp, name);
    mkdirSync(dir, { mode: 0o711 });
    return dir;
  };
  const procs: Proc[] = [];
  const killAll = () => {
    for (const p of procs) p.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const client = { current: null as AetherClient | null };

  const stop = async () => {
    // VMs outlive their worker by design: delete them first so no sandbox is left running.
    const c = client.current;
    if (c) {
      const vms = await c.listVms().catch(() => []);
      await Promise.all(vms.map((vm) => c.deleteVm(vm.id, { wait: true }).catch(() => {})));
    }
    await Promise.all(procs.map(stopProc));
    process.off('exit', killAll);
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [bin, 'migrate'],
        { env: childEnv({ ...base, AETHER_DATA_DIR: dataDir('migrate') }) },
        (error, _stdout, stderr) =>
          error ? reject(new Error(`aether migrate failed: ${stderr}`)) : resolve(),
      );
    });
    const port = await freePort();
    procs.push(
      startProc(
        bin,
        'gateway',
        'gateway',
        childEnv({
          ...base,
          AETHER_PORT: String(port),
          AETHER_DATA_DIR: dataDir('gateway'),
          // A gateway runs no VM: it should not keep sandboxes booted for nothing.
          AETHER_WARM_POOL_SIZE: '0',
        }),
      ),
    );
    const banners: Promise<void>[] = [];
    for (const id of WORKER_IDS) {
      const proc = startProc(
        bin,
        id,
        'worker',
        childEnv({ ...base, AETHER_WORKER_ID: id, AETHER_DATA_DIR: dataDir(id) }),
      );
      procs.push(proc);
      banners.push(
        new Promise((resolve) => {
          const onData = (chunk: Buffer) => {
            if (!chunk.toString().includes('aether worker')) return;
            proc.child.stdout?.off('data', onData);
            resolve();
          };
          proc.child.stdout?.on('data', onData);
        }),
      );
    }
    const url = `http://127.0.0.1:${port}`;
    client.current = new AetherClient({ baseUrl: url });
    const c = client.current;
    await until('the gateway to be healthy', procs, async () =>
      (await c.health()).status === 'ok' ? true : undefined,
    );
    let bannersSeen = false;
    void Promise.all(banners).then(() => {
      bannersSeen = true;
    });
    await until('both workers to start', procs, async () => (bannersSeen ? true : undefined));
    const workersListed = await until('both workers to be listed active', procs, async () => {
      try {
        const active = (await c.listWorkers()).filter((w) => w.status === 'active').map((w) => w.id);
        return WORKER_IDS.every((id) => active.includes(id)) ? true : undefined;
      } catch (error) {
        if (error instanceof AetherApiError && error.status === 404) return false;
        throw error;
      }
    });
    return { client: c, url, workersListed, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
