/**
 * `aether doctor --role R` as an operator runs it before starting a node: the real CLI in its
 * own process against this machine's PostgreSQL and Redis. A fresh database fails a gateway on
 * its pending migrations until `aether migrate` runs; a Redis port where nothing listens fails
 * the queue; `migrate` itself does not wait for what it is about to apply.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
  requireBackend,
} from '../../../test/support/backends.js';
import { type CommandResult, runCommand } from '../../../test/support/run-command.js';
import { throwawayDatabase } from '../../../test/support/throwaway-database.js';
import type { HostCheck } from '../../core/driver-module.js';
import { migrate } from '../../store/migrate.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const ENTRY = join(ROOT, 'test/support/cli-entry.ts');

const available = await requireBackend(
  'PostgreSQL and Redis',
  (await postgresAvailable()) && (await redisAvailable()),
  `no PostgreSQL at ${POSTGRES_URL} or no Redis at ${REDIS_URL}`,
);
const database = throwawayDatabase('doctor_roles');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aether-doctor-roles-'));
  await database.create();
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

function doctor(role: string, extra: Record<string, string> = {}): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('AETHER_') && key !== 'DATABASE_URL' && key !== 'REDIS_URL') env[key] = value;
  return runCommand([process.execPath, '--import', TSX, ENTRY, 'doctor', '--role', role, '--json'], {
    cwd: dir,
    env: {
      ...env,
      DATABASE_URL: database.url,
      REDIS_URL,
      AETHER_DATA_DIR: join(dir, 'data'),
      AETHER_DRIVERS: 'process',
      ...extra,
    },
  });
}

function itemsOf(result: CommandResult): Record<string, HostCheck> {
  const report = JSON.parse(result.stdout) as { checks: HostCheck[] };
  return Object.fromEntries(report.checks.map((check) => [check.item, check]));
}

describe.skipIf(!available)(`aether doctor --role (${POSTGRES_URL})`, () => {
  it('fails a gateway on pending migrations, passes it once migrated', async () => {
    const before = await doctor('gateway');
    const items = itemsOf(before);
    expect(items.cluster?.ok).toBe(true);
    expect(items.postgres?.ok).toBe(true);
    expect(items.migrations).toMatchObject({ ok: false, required: true });
    expect(items.migrations?.detail).toMatch(/^0 of \d+ migrations applied: \d+ pending$/);
    expect(items.redis?.ok).toBe(true);
    expect(items['redis-policy']).toMatchObject({ ok: true, detail: 'maxmemory-policy is noeviction' });
    expect(items['data-plane']).toMatchObject({ ok: false, required: false });
    expect(before.code).toBe(1);

    // `migrate` checks the store but does not wait for what it applies.
    const migrateRole = await doctor('migrate');
    expect(itemsOf(migrateRole).migrations).toMatchObject({ ok: false, required: false });
    expect(itemsOf(migrateRole).redis).toBeUndefined();
    expect(migrateRole.code).toBe(0);

    await migrate({ connectionString: database.url });
    const after = await doctor('gateway', { AETHER_CLUSTER_SECRET: 'x'.repeat(32) });
    expect(itemsOf(after).migrations).toMatchObject({ ok: true });
    expect(itemsOf(after)['data-plane']?.ok).toBe(true);
    expect(after.code).toBe(0);
    expect(after.stderr).toBe('');
  }, 120_000);

  it('fails a worker whose Redis does not answer, naming where it looked', async () => {
    const result = await doctor('worker', { REDIS_URL: 'redis://127.0.0.1:1' });
    const items = itemsOf(result);
    expect(items.redis).toMatchObject({ ok: false, required: true });
    expect(items.redis?.detail).toMatch(/Redis at 127\.0\.0\.1:1/);
    expect(items['data-dir']?.ok).toBe(true);
    expect(result.code).toBe(1);
  }, 60_000);

  it('fails a gateway without its cluster backends, and refuses an unknown role', async () => {
    const alone = await doctor('gateway', { DATABASE_URL: '', REDIS_URL: '' });
    expect(itemsOf(alone).cluster).toMatchObject({ ok: false, required: true });
    expect(itemsOf(alone).cluster?.detail).toMatch(/needs both DATABASE_URL and REDIS_URL/);
    expect(alone.code).toBe(1);

    const unknown = await doctor('nope');
    expect(unknown.stderr).toMatch(/unknown role "nope"; use one of up, gateway, worker, migrate/);
    expect(unknown.code).not.toBe(0);
  }, 60_000);
});
