/**
 * What `aether doctor --role …` checks of the cluster's backends, item by item: PostgreSQL
 * answers and carries every migration this build ships; Redis answers, never evicts keys (BullMQ
 * loses jobs otherwise) and persists what it holds. Each item says what was found and the fix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostCheck } from '../../core/driver-module.js';
import { MIGRATIONS_FOLDER } from '../../store/migrate.js';
import { probePostgres, probeRedis, serverAddress } from '../backends.js';
import type { ConfigKey } from '../config.js';

const TIMEOUT_MS = 3000;

function check(item: string, title: string, fields: Omit<HostCheck, 'item' | 'title'>): HostCheck {
  return { item, title, ...fields };
}

/** A backend the probe could not use: the probe's own message says what is wrong. */
function unreachable(item: string, title: string, error: unknown, fix: string): HostCheck {
  return check(item, title, { ok: false, required: true, detail: (error as Error).message, fix });
}

/** Migrations this build ships (drizzle-kit's journal). */
export function shippedMigrations(): number {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

export async function postgresChecks(url: string): Promise<HostCheck[]> {
  const where = `PostgreSQL at ${serverAddress(url, 5432)}`;
  try {
    await probePostgres(url, TIMEOUT_MS);
  } catch (error) {
    return [
      unreachable(
        'postgres',
        'store',
        error,
        'start PostgreSQL or correct DATABASE_URL (user, password, database name)',
      ),
    ];
  }
  const found = [
    check('postgres', 'store', { ok: true, required: true, detail: `${where} answers`, fix: null }),
  ];
  const applied = await appliedMigrations(url);
  const shipped = shippedMigrations();
  found.push(
    check('migrations', 'store schema', {
      ok: applied >= shipped,
      required: true,
      detail:
        applied >= shipped
          ? `${applied} of ${shipped} migrations applied`
          : `${applied} of ${shipped} migrations applied: ${shipped - applied} pending`,
      fix: 'run `aether migrate` once with this version before starting its gateways and workers',
    }),
  );
  return found;
}

async function appliedMigrations(url: string): Promise<number> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM drizzle.__drizzle_migrations WHERE to_regclass('drizzle.__drizzle_migrations') IS NOT NULL",
    );
    return Number(rows[0]?.n ?? 0);
  } catch {
    // No migrations table yet: nothing was ever applied.
    return 0;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function redisChecks(url: string, option: ConfigKey): Promise<HostCheck[]> {
  const where = `Redis at ${serverAddress(url, 6379)}`;
  try {
    await probeRedis(url, option, TIMEOUT_MS);
  } catch (error) {
    return [unreachable('redis', 'queue', error, 'start Redis or correct REDIS_URL')];
  }
  const found = [
    check('redis', 'queue', { ok: true, required: true, detail: `${where} answers`, fix: null }),
  ];
  const settings = await redisSettings(url);
  if (settings === null) {
    found.push(
      check('redis-policy', 'queue eviction policy', {
        ok: false,
        required: false,
        detail: 'CONFIG GET is not allowed on this server, so the policy is unknown',
        fix: "make sure the server's maxmemory-policy is noeviction (a managed Redis sets it in its parameters)",
      }),
    );
    return found;
  }
  found.push(
    check('redis-policy', 'queue eviction policy', {
      ok: settings.policy === 'noeviction',
      required: true,
      detail: `maxmemory-policy is ${settings.policy}`,
      fix: 'set maxmemory-policy noeviction: under memory pressure any other policy deletes queued jobs',
    }),
    check('redis-persistence', 'queue persistence', {
      ok: settings.appendonly || settings.save !== '',
      required: false,
      detail: settings.appendonly
        ? 'append-only file on'
        : settings.save !== ''
          ? `snapshots only (save "${settings.save}"): a crash loses the jobs queued since the last one`
          : 'off: a restart of Redis loses every queued job (the store re-enqueues pending tasks, slower)',
      fix: 'set appendonly yes (appendfsync everysec) so queued jobs survive a restart of Redis',
    }),
  );
  return found;
}

async function redisSettings(
  url: string,
): Promise<{ policy: string; appendonly: boolean; save: string } | null> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, connectTimeout: TIMEOUT_MS, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    const get = async (name: string) => ((await client.config('GET', name)) as string[])[1] ?? '';
    return {
      policy: await get('maxmemory-policy'),
      appendonly: (await get('appendonly')) === 'yes',
      save: await get('save'),
    };
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}
