/**
 * One SIGTERM stops every role: `aether up`, `aether gateway` and `aether worker`, each the real
 * CLI in its own process (on the cluster's PostgreSQL and Redis where it has them), exit 0 within
 * their drain timeout by themselves — no connection, timer or child left to hold them — and leave
 * no process of theirs behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, REDIS_URL, redisAvailable } from '../support/backends.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { throwawayDatabase } from '../support/throwaway-database.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'test/support/cli-entry.ts');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** Small, so a node that waits on something it should have closed is caught at once. */
const DRAIN_TIMEOUT_MS = 5000;
/** Start-up from source through tsx, with an embedded database or migrations, on a busy machine. */
const READY_WITHIN_MS = 60_000;

const canRun = await sandboxesAvailable('stopping each role');
const hasCluster = canRun && (await postgresAvailable()) && (await redisAvailable());

/** The environment of a fresh shell: none of the test run's own settings leak in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('AETHER_') || key === 'DATABASE_URL' || key === 'REDIS_URL') continue;
    if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Pids of live processes whose command line names `dir` (a node's sandboxes carry its data dir). */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the SIGTERM to the process's exit. */
  ms: number;
  stdout: string;
  stderr: string;
}

/** Starts `aether ROLE`, waits for its banner, sends one SIGTERM and waits for the exit. */
async function startThenTerminate(
  role: string,
  dataDir: string,
  env: Record<string, string>,
): Promise<Stopped> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', TSX, ENTRY, role, '--port', '0', '--data-dir', dataDir],
    {
      cwd: dataDir,
      env: cleanEnv({
        AETHER_LOG_LEVEL: 'warn',
        AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
        AETHER_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
        ...env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    const deadline = Date.now() + READY_WITHIN_MS;
    while (!stdout.includes('Ctrl-C')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`aether ${role} did not start\nstdout: ${stdout}\nstderr: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const signalledAt = performance.now();
    child.kill('SIGTERM');
    // Past twice the drain timeout it is not stopping: end it, and report the time it had.
    const killer = setTimeout(() => child.kill('SIGKILL'), DRAIN_TIMEOUT_MS * 2);
    const [code, signal] = await exited;
    clearTimeout(killer);
    return { code, signal, ms: performance.now() - signalledAt, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describe.skipIf(!canRun)('one SIGTERM stops a node', () => {
  const dirs: string[] = [];
  const database = throwawayDatabase('aether_sigterm');
  // A Redis database of its own keeps these nodes' queues apart from other tests' on that server.
  const redisUrl = new URL(REDIS_URL);
  redisUrl.pathname = `/${1 + Math.floor(Math.random() * 15)}`;
  const cluster = { DATABASE_URL: database.url, REDIS_URL: redisUrl.href };

  beforeAll(async () => {
    if (hasCluster) await database.create();
  });
  afterAll(async () => {
    if (hasCluster) await database.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const cases: { role: string; backends: string; env: Record<string, string>; cluster: boolean }[] = [
    { role: 'up', backends: 'embedded', env: {}, cluster: false },
    { role: 'up', backends: 'PostgreSQL and Redis', env: cluster, cluster: true },
    { role: 'gateway', backends: 'PostgreSQL and Redis', env: cluster, cluster: true },
    { role: 'worker', backends: 'PostgreSQL and Redis', env: cluster, cluster: true },
    // With a cluster secret a worker also listens for gateways (the data plane), as in any real cluster.
    {
      role: 'worker',
      backends: 'PostgreSQL and Redis, with its data plane',
      env: { ...cluster, AETHER_CLUSTER_SECRET: 's'.repeat(32) },
      cluster: true,
    },
  ];
  for (const { role, backends, env, cluster: needsCluster } of cases) {
    it.skipIf(needsCluster && !hasCluster)(
      `aether ${role} on ${backends} exits 0 within its drain timeout`,
      async () => {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), `aether-sigterm-${role}-`));
        // Reachable by the unprivileged sandbox uid when tests run as root.
        chmodSync(dataDir, 0o711);
        dirs.push(dataDir);
        const workerId = `sigterm-${role}-${path.basename(dataDir).slice(-6)}`;
        const stopped = await startThenTerminate(role, dataDir, { ...env, AETHER_WORKER_ID: workerId });
        const context = `database ${database.name}, data dir ${dataDir}\n${JSON.stringify(stopped, null, 1)}`;
        expect({ code: stopped.code, signal: stopped.signal }, context).toEqual({ code: 0, signal: null });
        expect(stopped.ms, context).toBeLessThan(DRAIN_TIMEOUT_MS);
        expect(stopped.stderr, context).not.toMatch(/shutdown failed|forced exit/);
        expect(processesUsing(dataDir), context).toEqual([]);
      },
      READY_WITHIN_MS + DRAIN_TIMEOUT_MS * 3,
    );
  }
});
