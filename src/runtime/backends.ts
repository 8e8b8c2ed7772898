import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AetherError, type ErrorCode, type ErrorFields, errorChain } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import { createLocalEventBus } from '../events/local/local-event-bus.js';
import type { EmbeddedDatabase } from '../pglite/embedded-database.js';
import { openPgliteThread } from '../pglite/pglite-thread.js';
import { migrate } from '../store/migrate.js';
import { createPgliteStore } from '../store/pglite/pglite-store.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { type AetherConfig, CONFIG_OPTIONS, type ConfigKey } from './config.js';
import { DataDirInUse, lockDataDir } from './data-dir-lock.js';

export interface Backends {
  store: Store;
  queue: TaskQueue;
  events: EventBus;
  /** One line per backend, for the start-up banner. */
  describe: string[];
  close(): Promise<void>;
}

/** How long start-up waits for PostgreSQL or Redis to answer before giving up. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * A start-up failure the user fixes in one option: `details.option` names it, so the CLI can
 * say where that option was set (flag, config file or env var).
 */
export function startupError(code: ErrorCode, message: string, option: ConfigKey, cause?: unknown) {
  return new AetherError(code, message, { cause, details: { option } });
}

/**
 * A gateway alone or a worker alone is one part of a cluster. Over embedded backends it would
 * hold a store and a queue that no other process can reach: a gateway whose tasks no worker ever
 * sees, a worker no gateway ever feeds. Such a node refuses to start, naming what to set; only
 * `aether up` (both roles in one process) runs embedded.
 */
export function requireClusterBackends(
  config: AetherConfig,
  roles: { gateway: boolean; worker: boolean },
): void {
  if (roles.gateway && roles.worker) return;
  const urls: Record<string, string> = {
    [CONFIG_OPTIONS.databaseUrl.env]: config.databaseUrl,
    [CONFIG_OPTIONS.redisUrl.env]: config.redisUrl,
  };
  const settings = Object.keys(urls);
  const unset = settings.filter((name) => urls[name] === '');
  if (unset.length === 0) return;
  const role = roles.gateway ? 'gateway' : 'worker';
  const which = unset.length === 2 ? 'neither is set' : `${unset[0]} is not set`;
  throw new AetherError(
    'ERR_CONFIG',
    `aether ${role} is part of a cluster and needs both ${settings.join(' and ')} (${which}); for one node with an embedded store and queue, run \`aether up\``,
  );
}

/**
 * Embedded (PGlite store + in-process or BullMQ-on-PGlite queue + in-process events) unless
 * DATABASE_URL / REDIS_URL point at servers. Heavy clients load only when used.
 */
export async function openBackends(config: AetherConfig, logger: Logger): Promise<Backends> {
  if (config.databaseUrl === '' && config.redisUrl === '') {
    if (config.eventsRedisUrl !== '') {
      throw startupError(
        'ERR_CONFIG',
        'an event bus on Redis needs DATABASE_URL and REDIS_URL too (embedded mode has in-process events); set them, or unset the event bus URL',
        'eventsRedisUrl',
      );
    }
    return openEmbedded(config, logger);
  }
  return openServers(config, logger);
}

/** `db`, whose close also gives up the data dir's lock. */
function releasingOnClose(db: EmbeddedDatabase, release: () => void): EmbeddedDatabase {
  return {
    query: (sql, params, options) => db.query(sql, params, options),
    exec: (sql, options) => db.exec(sql, options),
    transaction: (callback) => db.transaction(callback),
    onNotification: (callback) => db.onNotification(callback),
    close: () => db.close().finally(release),
    get closed() {
      return db.closed;
    },
  };
}

/**
 * Opens (creating it if needed) the embedded database in `<dataDir>/db`, on a thread of its own
 * so its work runs beside the gateway's and the worker's, and applies the migrations. Only one
 * process may hold it.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
): Promise<{ db: EmbeddedDatabase; dbDir: string }> {
  const dbDir = path.join(dataDir, 'db');
  try {
    mkdirSync(dbDir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
    throw startupError('ERR_CONFIG', `cannot create the data dir ${dbDir} (${why})`, 'dataDir', error);
  }
  let release: () => void;
  try {
    release = lockDataDir(dbDir);
  } catch (error) {
    if (!(error instanceof DataDirInUse)) throw error;
    throw startupError(
      'ERR_STORE_UNAVAILABLE',
      `the embedded database in ${dbDir} is in use by process ${error.pid} (another \`aether up\`?); stop it, or use another data dir. If no such process runs, remove ${error.lockFile}`,
      'dataDir',
      error,
    );
  }
  let db: EmbeddedDatabase;
  try {
    db = releasingOnClose(await openPgliteThread(dbDir), release);
  } catch (error) {
    release();
    throw startupError(
      'ERR_STORE_UNAVAILABLE',
      `cannot open the embedded database in ${dbDir} (${(error as Error).message})`,
      'dataDir',
      error,
    );
  }
  try {
    await migrate({ pglite: db });
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return { db, dbDir };
}

async function openEmbedded(config: AetherConfig, logger: Logger): Promise<Backends> {
  const { db, dbDir } = await openEmbeddedDatabase(config.dataDir);
  const store = createPgliteStore(db);
  let queue: TaskQueue;
  try {
    queue = await openEmbeddedQueue(config, db, logger);
  } catch (error) {
    await store.close().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
  const events = createLocalEventBus();
  return {
    store,
    queue,
    events,
    describe: [
      `store: embedded PostgreSQL (PGlite) in ${dbDir}`,
      config.embeddedQueue === 'local'
        ? 'queue: in-process (tasks are recorded in the store first; a restart re-enqueues them)'
        : 'queue: BullMQ on the embedded database',
      'events: in-process',
    ],
    async close() {
      await queue.close();
      await events.close();
      await store.close();
      await db.close();
    },
  };
}

/**
 * The embedded queue. `local` dispatches in process: the store already records every task
 * before it is enqueued, and the worker re-enqueues what the store says is pending after a
 * restart, so dispatch itself need not be durable — and it spares the single embedded database
 * session the ~10 statements per task that BullMQ's PostgreSQL backend runs. `bullmq` keeps one
 * queue library in every mode, at that cost.
 */
async function openEmbeddedQueue(
  config: AetherConfig,
  db: EmbeddedDatabase,
  logger: Logger,
): Promise<TaskQueue> {
  if (config.embeddedQueue === 'local') {
    const { createLocalQueue } = await import('../queue/local/local-queue.js');
    // Local queues with one prefix share tasks within a process: key it by the data dir, so two
    // nodes in one process (tests, benchmarks) never take each other's work.
    return createLocalQueue({ logger, prefix: `aether-${config.dataDir}` });
  }
  const { createPgliteQueue } = await import('../queue/bullmq/pglite-queue.js');
  return createPgliteQueue(db, {
    logger,
    lockDurationMs: config.queueLockMs,
    stalledIntervalMs: config.queueLockMs,
  });
}

async function openServers(config: AetherConfig, logger: Logger): Promise<Backends> {
  if (config.databaseUrl === '' || config.redisUrl === '') {
    throw new AetherError(
      'ERR_CONFIG',
      'distributed mode needs both DATABASE_URL and REDIS_URL; set both, or neither for embedded mode',
    );
  }
  const eventsUrl = config.eventsRedisUrl || config.redisUrl;
  const eventsOption: ConfigKey = config.eventsRedisUrl ? 'eventsRedisUrl' : 'redisUrl';
  // Probe each server first, so a wrong URL, a refused port or a bad password is reported as
  // such within seconds, before any client starts retrying in the background.
  await probePostgres(config.databaseUrl);
  await probeRedis(config.redisUrl, 'redisUrl');
  if (eventsUrl !== config.redisUrl) await probeRedis(eventsUrl, 'eventsRedisUrl');
  await migrate({ connectionString: config.databaseUrl });

  const opened: { close(): Promise<void> }[] = [];
  try {
    const store = createPostgresStore({ connectionString: config.databaseUrl }, { logger });
    opened.push(store);
    const { createRedisQueue } = await import('../queue/bullmq/redis-queue.js');
    const { createRedisEventBus } = await import('../events/redis/redis-event-bus.js');
    const queue = await createRedisQueue({
      url: config.redisUrl,
      logger,
      lockDurationMs: config.queueLockMs,
      // A dead worker's task is found stalled within one more lock period.
      stalledIntervalMs: config.queueLockMs,
    }).catch((error: unknown) => {
      throw redisFailure(error, undefined, config.redisUrl, 'redisUrl');
    });
    opened.push(queue);
    const events = await createRedisEventBus({ url: eventsUrl, logger }).catch((error: unknown) => {
      throw redisFailure(error, undefined, eventsUrl, eventsOption);
    });
    opened.push(events);
    const redisHost = serverAddress(config.redisUrl, 6379);
    return {
      store,
      queue,
      events,
      describe: [
        `store: PostgreSQL at ${serverAddress(config.databaseUrl, 5432)}`,
        `queue: BullMQ on Redis at ${redisHost}`,
        `events: Redis at ${serverAddress(eventsUrl, 6379)}`,
      ],
      async close() {
        await queue.close();
        await events.close();
        await store.close();
      },
    };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close().catch(() => {});
    throw error;
  }
}

/** `host:port` of a server URL (never its credentials), with the scheme's default port. */
export function serverAddress(url: string, defaultPort: number): string {
  const parsed = new URL(url);
  return `${parsed.hostname || 'localhost'}:${parsed.port || defaultPort}`;
}

/** Socket-level failures, in words. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: `no answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
};

function networkReason(chain: ErrorFields[]): string | undefined {
  for (const e of chain) {
    const reason = typeof e.code === 'string' ? NETWORK_REASONS[e.code] : undefined;
    if (reason) return reason;
  }
  return undefined;
}

function innermostMessage(chain: ErrorFields[]): string {
  const messages = chain.map((e) => (typeof e.message === 'string' ? e.message : '')).filter(Boolean);
  return messages.at(-1) ?? 'unknown error';
}

/** Rejects with ETIMEDOUT when `promise` has not settled after `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Connects to PostgreSQL once; any failure becomes one AetherError that says what is wrong. */
export async function probePostgres(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await withDeadline(
      (async () => {
        await client.connect();
        await client.query('SELECT 1');
      })(),
      timeoutMs + 1000,
    );
  } catch (error) {
    client.end().catch(() => {});
    throw postgresFailure(error, url);
  }
  await client.end().catch(() => {});
}

/** One clear error for a failed connection to PostgreSQL at `url`. */
export function postgresFailure(error: unknown, url: string): AetherError {
  const where = `PostgreSQL at ${serverAddress(url, 5432)}`;
  const chain = errorChain(error);
  const network = networkReason(chain);
  if (network) {
    return startupError('ERR_STORE_UNAVAILABLE', `cannot reach ${where} (${network})`, 'databaseUrl', error);
  }
  const message = innermostMessage(chain);
  const sqlState = chain
    .map((e) => e.code)
    .find((c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c));
  if (sqlState === '28P01' || sqlState === '28000') {
    return startupError('ERR_CONFIG', `${where} refused the login (${message})`, 'databaseUrl', error);
  }
  if (sqlState === '3D000') {
    return startupError('ERR_CONFIG', `${where} has no such database (${message})`, 'databaseUrl', error);
  }
  if (/timeout/i.test(message)) {
    return startupError(
      'ERR_STORE_UNAVAILABLE',
      `cannot reach ${where} (${NETWORK_REASONS.ETIMEDOUT})`,
      'databaseUrl',
      error,
    );
  }
  if (/Connection terminated/i.test(message)) {
    return startupError(
      'ERR_STORE_UNAVAILABLE',
      `cannot reach ${where} (the server closed the connection; is it a PostgreSQL server?)`,
      'databaseUrl',
      error,
    );
  }
  return startupError('ERR_STORE_UNAVAILABLE', `cannot use ${where} (${message})`, 'databaseUrl', error);
}

/**
 * Connects to Redis once, without retrying; any failure becomes one AetherError that says what
 * is wrong. ioredis reports the real cause as an `error` event, not as the rejection.
 */
export async function probeRedis(
  url: string,
  option: ConfigKey,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let reported: Error | undefined;
  client.on('error', (error: Error) => {
    reported ??= error;
  });
  try {
    await withDeadline(
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      timeoutMs + 1000,
    );
    // A failed SELECT of the database index is reported as an event while the connection stays up.
    if (reported) throw reported;
  } catch (error) {
    throw redisFailure(error, reported, url, option);
  } finally {
    // Disconnecting a client that already ended leaves a 2 s timer that holds the process.
    if (client.status !== 'end') client.disconnect();
  }
}

/** One clear error for a failed connection to Redis at `url` (`reported`: its first error event). */
export function redisFailure(
  error: unknown,
  reported: Error | undefined,
  url: string,
  option: ConfigKey,
): AetherError {
  const where = `Redis at ${serverAddress(url, 6379)}`;
  const chain = [...errorChain(reported), ...errorChain(error)];
  const network = networkReason(chain);
  if (network) {
    return startupError('ERR_QUEUE_UNAVAILABLE', `cannot reach ${where} (${network})`, option, error);
  }
  const messages = chain.map((e) => (typeof e.message === 'string' ? e.message : ''));
  const auth = messages.find((m) => /WRONGPASS|NOAUTH|invalid password|AUTH.*without any password/i.test(m));
  if (auth) return startupError('ERR_CONFIG', `${where} refused the login (${auth})`, option, error);
  const database = messages.find((m) => /DB index is out of range/i.test(m));
  if (database) {
    return startupError('ERR_CONFIG', `${where} has no such database (${database})`, option, error);
  }
  if (messages.some((m) => /Connection is closed|Unknown RESP type|Protocol error/i.test(m))) {
    return startupError(
      'ERR_QUEUE_UNAVAILABLE',
      `cannot reach ${where} (the server closed the connection; is it a Redis server?)`,
      option,
      error,
    );
  }
  if (error instanceof AetherError && error.details?.option !== undefined) return error;
  const message = messages.filter(Boolean).at(-1) ?? String(error);
  return startupError('ERR_QUEUE_UNAVAILABLE', `cannot use ${where} (${message})`, option, error);
}
