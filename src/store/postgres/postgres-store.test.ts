import { randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, postgresAvailable } from '../../../test/support/backends.js';
import { newId } from '../../core/ids.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { expectCode, newVmInput } from '../../testing/conformance/store/fixtures.js';
import { describeStoreConformance } from '../../testing/conformance/store/store-suite.js';
import { migrate } from '../migrate.js';
import { createPostgresStore } from './postgres-store.js';

const available = await postgresAvailable();

/** A throwaway database per use, dropped at the end; its name is in the describe title. */
function throwawayDatabase(): { name: string; url: string; create(): Promise<void>; drop(): Promise<void> } {
  const name = `aether_store_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    name,
    url: url.toString(),
    create: () => admin(`CREATE DATABASE ${name}`),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A TCP port on loopback that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const conformanceDb = throwawayDatabase();
describe.skipIf(!available)('postgres', () => {
  describeStoreConformance(`postgres (database ${conformanceDb.name})`, async () => {
    await conformanceDb.create();
    await migrate({ connectionString: conformanceDb.url });
    return {
      store: createPostgresStore({ connectionString: conformanceDb.url }),
      migrate: () => migrate({ connectionString: conformanceDb.url }),
      teardown: () => conformanceDb.drop(),
    };
  });
});

describe.skipIf(!available)('postgres connection handling', () => {
  const db = throwawayDatabase();
  let pool: pg.Pool;
  // The test's own pool is killed along with the store's in the restart case; it needs the same
  // listener the store installs, or its idle clients' errors would fail the run.
  const openPool = () => new pg.Pool({ connectionString: db.url, max: 4 }).on('error', () => {});
  beforeAll(async () => {
    await db.create();
    pool = openPool();
    await migrate({ pool });
  });
  afterAll(async () => {
    await pool?.end();
    await db.drop();
  });

  it(`survives the server killing its idle connections (database ${db.name})`, async () => {
    const warnings: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (_obj, msg) => warnings.push(msg ?? ''),
      child: () => logger,
    };
    const store = createPostgresStore({ connectionString: db.url }, { logger });
    try {
      await Promise.all([store.ping(), store.ping(), store.ping()]);
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [db.name],
        );
      } finally {
        await admin.end();
      }
      // Without the pool's 'error' listener the idle clients' errors would crash this process.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(warnings.length).toBeGreaterThan(0);
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
    // The connections the test pool held were killed too; give it a fresh start.
    await pool.end();
    pool = openPool();
  });

  it('leaves a caller-owned pool open on close, and works through it', async () => {
    const store = createPostgresStore({ pool });
    const vm = await store.insertVm(newVmInput());
    await store.close();
    const again = createPostgresStore({ pool });
    expect(await again.getVm(vm.id)).toEqual(vm);
    await again.close();
  });
});

describe.skipIf(!available)('postgres migrations', () => {
  it('lets several processes migrate one fresh database at once', async () => {
    const db = throwawayDatabase();
    await db.create();
    try {
      // Two pools stand for two gateways starting together; without the advisory lock one of
      // them fails on "relation already exists".
      await Promise.all([migrate({ connectionString: db.url }), migrate({ connectionString: db.url })]);
      const store = createPostgresStore({ connectionString: db.url });
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
    } catch (error) {
      console.error(`migration race failed on database ${db.name}`);
      throw error;
    } finally {
      await db.drop();
    }
  });
});

// Needs no server: this is what every deployment sees while PostgreSQL is down.
describe('postgres unreachable', () => {
  it('fails store calls and migrate with ERR_STORE_UNAVAILABLE', async () => {
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/test`;
    const store = createPostgresStore({ connectionString: url, connectTimeoutMs: 2000 });
    try {
      await expectCode(store.ping(), 'ERR_STORE_UNAVAILABLE');
      await expectCode(store.getVm(newId()), 'ERR_STORE_UNAVAILABLE');
      await expectCode(store.insertVm(newVmInput()), 'ERR_STORE_UNAVAILABLE');
      await expectCode(migrate({ connectionString: url }), 'ERR_STORE_UNAVAILABLE');
    } finally {
      await store.close();
    }
  });
});
