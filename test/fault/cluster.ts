/**
 * A distributed Aetherium for the fault test: `aether migrate`, then one `aether gateway` and N
 * `aether worker` processes, each a separate node process on the private PostgreSQL and Redis.
 * Workers can be killed with SIGKILL and started again with the same id and data dir. Every
 * process's stdout and stderr go to files in the run dir; an exit nobody asked for is a crash,
 * written to the history as an `exit` event with `expected: false`.
 *
 * The CLI is the working tree compiled into the run dir (compile.ts), so the test exercises the
 * code as it is now; FAULT_CLI=tsx runs it from source through tsx (as test/support/run-cli.ts
 * does, slower to start), FAULT_CLI=dist the built bin/aether.js (as old as the last build).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AetherClient } from '@aetherium/sdk';
import { compileCli } from './compile.js';
import type { ExitEvent, HistoryWriter } from './history.js';
import { freePort, runCommand, sleep, waitFor } from './processes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE_ENTRY = path.join(ROOT, 'test/support/cli-entry.ts');
const DIST_ENTRY = path.join(ROOT, 'bin/aether.js');

/** The compressed timings of the worker registry, heartbeats, fencing and drain (ms). */
export const FAULT_TIMINGS: Record<string, string> = {
  AETHER_HEARTBEAT_INTERVAL_MS: '500',
  AETHER_WORKER_LEASE_MS: '3000',
  AETHER_WORKER_GRACE_MS: '6000',
  AETHER_QUEUE_LOCK_MS: '2000',
  AETHER_RECONCILE_INTERVAL_MS: '1000',
  AETHER_DRAIN_TIMEOUT_MS: '2000',
};

export interface ClusterOptions {
  runDir: string;
  /** From `prepareCli`. */
  cli: string[];
  databaseUrl: string;
  redisUrl: string;
  workerIds: string[];
  history: HistoryWriter;
  /** Extra environment for every process (after the defaults). */
  env?: Record<string, string>;
}

export type CliMode = 'compiled' | 'tsx' | 'dist';

/** How to run `aether ...`: argv before the command's own arguments. */
export async function prepareCli(runDir: string): Promise<{ mode: CliMode; argv: string[] }> {
  const mode = (process.env.FAULT_CLI ?? 'compiled') as CliMode;
  switch (mode) {
    case 'dist':
      return { mode, argv: [process.execPath, DIST_ENTRY] };
    case 'tsx':
      return { mode, argv: [process.execPath, '--import', 'tsx', SOURCE_ENTRY] };
    case 'compiled': {
      const entry = await compileCli(ROOT, path.join(runDir, 'build'));
      return { mode, argv: [process.execPath, '--enable-source-maps', entry] };
    }
    default:
      throw new Error(`FAULT_CLI=${String(mode)}: use compiled, tsx or dist`);
  }
}

/** The test's own environment minus anything that would configure an Aetherium process. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('AETHER_') || key === 'DATABASE_URL' || key === 'REDIS_URL') continue;
    if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}

/** A data dir the unprivileged sandbox uid can walk through when we run as root. */
function reachableDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o711);
  return dir;
}

/** One gateway or worker process; a restart makes a new incarnation under the same name. */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<void> = Promise.resolve();
  private expectingExit = false;
  incarnation = 0;

  constructor(
    readonly name: string,
    readonly role: 'gateway' | 'worker',
    private readonly env: NodeJS.ProcessEnv,
    readonly logDir: string,
    private readonly cli: string[],
    private readonly onExit: (event: Omit<ExitEvent, 'type'>) => void,
  ) {}

  get stdoutLog(): string {
    return path.join(this.logDir, `${this.name}.out.log`);
  }

  get stderrLog(): string {
    return path.join(this.logDir, `${this.name}.err.log`);
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Spawns the process; returns the stdout log offset its banner will be written after. */
  spawn(): number {
    if (this.child) throw new Error(`${this.name} is already running`);
    this.incarnation++;
    const marker = `=== ${this.name} #${this.incarnation} start ${new Date().toISOString()} ===\n`;
    appendFileSync(this.stdoutLog, marker);
    appendFileSync(this.stderrLog, marker);
    const offset = statSync(this.stdoutLog).size;
    const out = openSync(this.stdoutLog, 'a');
    const err = openSync(this.stderrLog, 'a');
    const [command, ...args] = [...this.cli, this.role];
    const child = spawn(command!, args, { cwd: ROOT, env: this.env, stdio: ['ignore', out, err] });
    closeSync(out);
    closeSync(err);
    this.child = child;
    this.expectingExit = false;
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const expected = this.expectingExit;
        if (this.child === child) this.child = null;
        this.onExit({ process: this.name, pid: child.pid ?? null, code, signal, expected });
        resolve();
      });
    });
    return offset;
  }

  /** Waits until the process printed `aether <role>` (after start-up finished), or fails if it exited. */
  async waitForBanner(offset: number, timeoutMs: number): Promise<void> {
    const child = this.child;
    await waitFor(
      `${this.name} to print its banner (see ${this.stdoutLog}, ${this.stderrLog})`,
      () => {
        if (this.child !== child) throw new Error(`${this.name} exited during start-up`);
        return readFileSync(this.stdoutLog).subarray(offset).toString().includes(`aether ${this.role}\n`);
      },
      timeoutMs,
      50,
    );
  }

  /** SIGKILL, like a power cut; resolves once the process is gone. */
  async kill9(): Promise<void> {
    if (!this.child) return;
    this.expectingExit = true;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  /** SIGTERM (graceful: the CLI closes the node), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.child) return;
    this.expectingExit = true;
    this.child.kill('SIGTERM');
    const timedOut = await Promise.race([
      this.exitPromise.then(() => false),
      sleep(graceMs).then(() => true),
    ]);
    if (timedOut) {
      this.child?.kill('SIGKILL');
      await this.exitPromise;
    }
  }
}

export class Cluster {
  readonly workers = new Map<string, ManagedProcess>();
  private readonly onProcessExit = () => this.killAllNow();

  private constructor(
    readonly gateway: ManagedProcess,
    readonly url: string,
    readonly client: AetherClient,
    /** Every exit of every process, in order. */
    readonly exits: Omit<ExitEvent, 'type'>[],
  ) {}

  /** Migrates the database, starts the gateway and the workers, and waits for each to be ready. */
  static async start(options: ClusterOptions): Promise<Cluster> {
    const logDir = reachableDir(path.join(options.runDir, 'logs'));
    const port = await freePort();
    const common: NodeJS.ProcessEnv = {
      ...baseEnv(),
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      AETHER_LOG_LEVEL: 'warn',
      // On loopback, without keys: this test is about faults; authentication has its own tests.
      AETHER_AUTH: 'off',
      AETHER_RATE_LIMIT_MAX: '1000000',
      ...FAULT_TIMINGS,
      ...options.env,
    };

    const migrate = await runCommand([...options.cli, 'migrate'], {
      cwd: ROOT,
      env: { ...common, AETHER_DATA_DIR: reachableDir(path.join(options.runDir, 'migrate')) },
      timeoutMs: 60_000,
    });
    appendFileSync(path.join(logDir, 'migrate.log'), `${migrate.stdout}${migrate.stderr}`);
    if (migrate.code !== 0) throw new Error(`aether migrate failed (${migrate.code}): ${migrate.stderr}`);

    const exits: Omit<ExitEvent, 'type'>[] = [];
    const onExit = (event: Omit<ExitEvent, 'type'>) => {
      exits.push(event);
      options.history.append({ type: 'exit', ...event });
    };
    const gateway = new ManagedProcess(
      'gateway',
      'gateway',
      {
        ...common,
        AETHER_PORT: String(port),
        AETHER_DATA_DIR: reachableDir(path.join(options.runDir, 'gateway')),
        AETHER_WORKER_ID: 'gateway',
        // The gateway runs no VM: it has no use for pre-booted sandboxes.
        AETHER_WARM_POOL_SIZE: '0',
      },
      logDir,
      options.cli,
      onExit,
    );
    const url = `http://127.0.0.1:${port}`;
    const cluster = new Cluster(gateway, url, new AetherClient({ baseUrl: url }), exits);
    process.once('exit', cluster.onProcessExit);
    try {
      gateway.spawn();
      for (const id of options.workerIds) {
        const worker = new ManagedProcess(
          id,
          'worker',
          {
            ...common,
            AETHER_WORKER_ID: id,
            AETHER_DATA_DIR: reachableDir(path.join(options.runDir, 'workers', id)),
          },
          logDir,
          options.cli,
          onExit,
        );
        cluster.workers.set(id, worker);
      }
      await Promise.all([...cluster.workers.keys()].map((id) => cluster.startWorker(id)));
      await cluster.waitHealthy(60_000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Polls GET /api/v1/health until it answers 200. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    await waitFor(
      `the gateway at ${this.url} to be healthy (see ${this.gateway.stderrLog})`,
      async () => {
        if (!this.gateway.running) throw new Error('the gateway exited');
        const res = await fetch(`${this.url}/api/v1/health`).catch(() => null);
        return res?.status === 200;
      },
      timeoutMs,
      100,
    );
  }

  worker(id: string): ManagedProcess {
    const worker = this.workers.get(id);
    if (!worker) throw new Error(`no worker ${id}`);
    return worker;
  }

  /** Starts (or restarts) a worker with its fixed id and data dir; resolves once it is consuming. */
  async startWorker(id: string, timeoutMs = 60_000): Promise<number> {
    const worker = this.worker(id);
    const started = Date.now();
    const offset = worker.spawn();
    await worker.waitForBanner(offset, timeoutMs);
    return Date.now() - started;
  }

  async killWorker(id: string): Promise<void> {
    await this.worker(id).kill9();
  }

  /** Exits nobody asked for. */
  crashes(): Omit<ExitEvent, 'type'>[] {
    return this.exits.filter((e) => !e.expected);
  }

  /** Stops every process gracefully (SIGKILL after the grace period). */
  async stop(graceMs = 10_000): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop(graceMs)));
    await this.gateway.stop(graceMs);
    process.off('exit', this.onProcessExit);
  }

  /** Synchronous last resort when the test process exits without cleaning up. */
  private killAllNow(): void {
    for (const p of [this.gateway, ...this.workers.values()]) {
      if (p.pid !== null) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  }
}
