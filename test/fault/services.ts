/**
 * Private Redis and PostgreSQL servers owned by one test file: own ports, own directories, so
 * killing and restarting them never disturbs the shared 127.0.0.1:5432 / :6379 other test files
 * use. Everything is spawned from argv arrays; initdb and postgres refuse to run as root, so under
 * root they run as the `postgres` user through runuser.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  appendFileSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { requireBackend } from '../support/backends.js';
import { freePort, isAlive, runChecked, runCommand, sleep, waitFor } from './processes.js';

const isRoot = process.getuid?.() === 0;

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/bin', '/usr/local/bin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** The newest Debian PostgreSQL bin directory with initdb, pg_ctl and postgres, or null. */
function findPostgresBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  for (const version of versions) {
    const bin = path.join(base, version, 'bin');
    if (['initdb', 'pg_ctl', 'postgres'].every((tool) => executable(path.join(bin, tool)))) return bin;
  }
  return null;
}

interface UnixUser {
  uid: number;
  gid: number;
}

function lookupUser(name: string): UnixUser | null {
  const result = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  const fields = result.status === 0 ? result.stdout.trim().split(':') : [];
  if (fields.length < 4) return null;
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

export interface PrivateBinaries {
  redisServer: string;
  pgBin: string;
  runuser: string | null;
  /** Who postgres runs as when we are root (it refuses root). */
  pgUser: UnixUser | null;
}

/** The binaries the private servers need, or why they cannot run here. */
export function findPrivateBinaries(): { binaries: PrivateBinaries | null; missing: string | null } {
  const problems: string[] = [];
  const redisServer = onPath('redis-server');
  if (!redisServer) problems.push('redis-server not found on PATH (apt-get install redis-server)');
  const pgBin = findPostgresBin();
  if (!pgBin)
    problems.push(
      'no /usr/lib/postgresql/*/bin with initdb, pg_ctl and postgres (apt-get install postgresql)',
    );
  let runuser: string | null = null;
  let pgUser: UnixUser | null = null;
  if (isRoot) {
    runuser = onPath('runuser');
    pgUser = lookupUser('postgres');
    if (!runuser) problems.push('running as root but runuser (util-linux) is missing');
    if (!pgUser) problems.push('running as root but there is no `postgres` user to run PostgreSQL as');
  }
  if (problems.length > 0 || !redisServer || !pgBin) return { binaries: null, missing: problems.join('; ') };
  return { binaries: { redisServer, pgBin, runuser, pgUser }, missing: null };
}

/** True when the private servers can run; prints why and returns false (throws under CI=true) otherwise. */
export async function privateBackendsAvailable(what: string): Promise<boolean> {
  const { missing } = findPrivateBinaries();
  return requireBackend(what, missing === null, missing ?? '');
}

/** Answers true once something at host:port speaks Redis (PING → +PONG). */
function redisPing(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

/** A redis-server with no persistence on a port of its own; restart keeps the port. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** Exits we did not cause (a crash of the server itself). */
  readonly unexpectedExits: { code: number | null; signal: string | null; at: number }[] = [];

  private constructor(
    private readonly binary: string,
    readonly dir: string,
    readonly port: number,
    private readonly logFile: string,
  ) {}

  static async create(binary: string, dir: string, logFile: string): Promise<PrivateRedis> {
    mkdirSync(dir, { recursive: true });
    const redis = new PrivateRedis(binary, dir, await freePort(), logFile);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    appendFileSync(this.logFile, `\n=== start ${new Date().toISOString()} ===\n`);
    const log = openSync(this.logFile, 'a');
    const child = spawn(
      this.binary,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--daemonize',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', log, log] },
    );
    this.child = child;
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        process.off('exit', killOnExit);
        if (this.child === child) {
          this.child = null;
          this.unexpectedExits.push({ code, signal, at: Date.now() });
        }
        resolve();
      });
    });
    await waitFor(`redis-server on port ${this.port}`, () => redisPing(this.port), 15_000, 50);
  }

  /** Stops the server: `kill` = SIGKILL (a crash), `shutdown` = SHUTDOWN NOSAVE. Keeps nothing either way. */
  async stop(how: 'kill' | 'shutdown' = 'kill'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null; // an exit we cause is not a crash
    if (how === 'shutdown') {
      const cli = spawnSync('redis-cli', ['-p', String(this.port), 'SHUTDOWN', 'NOSAVE'], { timeout: 5_000 });
      if (cli.status !== 0 && cli.error) child.kill('SIGKILL');
    } else {
      child.kill('SIGKILL');
    }
    await Promise.race([this.exited, sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.stop('kill');
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop('kill').catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A throwaway PostgreSQL cluster (initdb -A trust) on a port of its own, driven by pg_ctl. */
export class PrivatePostgres {
  private constructor(
    private readonly binaries: PrivateBinaries,
    readonly dir: string,
    readonly port: number,
  ) {}

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get socketDir(): string {
    return path.join(this.dir, 'sock');
  }

  get logFile(): string {
    return path.join(this.dir, 'postgres.log');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** initdb into `dir` (which the postgres user must be able to reach) and start it. */
  static async create(binaries: PrivateBinaries, dir: string): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(binaries, dir, await freePort());
    mkdirSync(pg.dir, { recursive: true, mode: 0o700 });
    mkdirSync(pg.socketDir, { recursive: true, mode: 0o700 });
    if (binaries.pgUser) {
      for (const d of [pg.dir, pg.socketDir]) chownSync(d, binaries.pgUser.uid, binaries.pgUser.gid);
    }
    await pg.pgTool('initdb', [
      '-D',
      pg.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    // Settings go into the cluster's own config rather than through pg_ctl -o, which is a shell string.
    // fsync off is safe here: the faults are process crashes, and the kernel's page cache survives them.
    appendFileSync(
      path.join(pg.dataDir, 'postgresql.conf'),
      [
        '',
        '# aether fault test',
        "listen_addresses = '127.0.0.1'",
        `port = ${pg.port}`,
        `unix_socket_directories = '${pg.socketDir}'`,
        'max_connections = 200',
        'fsync = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    await pg.start();
    return pg;
  }

  /** argv for a PostgreSQL tool, as the postgres user when we are root. */
  private argv(tool: string, args: string[]): string[] {
    const binary = path.join(this.binaries.pgBin, tool);
    return this.binaries.pgUser && this.binaries.runuser
      ? [this.binaries.runuser, '-u', 'postgres', '--', binary, ...args]
      : [binary, ...args];
  }

  private pgTool(tool: string, args: string[], timeoutMs = 60_000) {
    return runChecked(this.argv(tool, args), { cwd: this.dir, timeoutMs });
  }

  /** The postmaster's pid from postmaster.pid, or null when it is not running. */
  pid(): number | null {
    try {
      const first = readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
      const pid = Number(first);
      return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  async start(): Promise<void> {
    await this.pgTool('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '30', 'start']);
    process.off('exit', this.killOnExit);
    process.once('exit', this.killOnExit);
  }

  /** Synchronous last resort when the test process exits without `destroy()`. */
  private readonly killOnExit = () => {
    const pid = this.pid();
    if (pid !== null) process.kill(pid, 'SIGKILL');
  };

  /** `immediate` is a crash (no checkpoint, recovery on the next start); `fast` a clean stop. */
  async stop(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await this.pgTool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
  }

  /** `pg_ctl restart -m immediate`: every connection is cut, the server recovers and listens again. */
  async restartImmediate(): Promise<void> {
    await this.pgTool('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
      '-m',
      'immediate',
      '-w',
      '-t',
      '30',
      'restart',
    ]);
  }

  async destroy(): Promise<void> {
    if (this.pid() !== null) {
      await runCommand(
        this.argv('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '15', 'stop']),
        {
          cwd: this.dir,
          timeoutMs: 20_000,
        },
      ).catch(() => {});
    }
    const left = this.pid();
    if (left !== null) {
      process.kill(left, 'SIGKILL');
      await waitFor('postgres to exit', () => !isAlive(left), 10_000).catch(() => {});
    }
    process.off('exit', this.killOnExit);
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(this.socketDir, { recursive: true, force: true });
  }
}
