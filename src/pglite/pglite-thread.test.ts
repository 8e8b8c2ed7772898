/**
 * PGlite on its own thread answers as PGlite in process does: the same statements on both, the
 * answers compared down to key order and value classes; errors of the same class and fields;
 * PGlite's transaction rules; and a thread that ends, closed or killed, takes no caller with it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { messages, PGlite, TransactionAbortedError } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../test/support/run-command.js';
import { toStoreError, VM_NAME_CONSTRAINT } from '../store/store-errors.js';
import type { EmbeddedDatabase } from './embedded-database.js';
import { openPgliteThread, type PgliteThread } from './pglite-thread.js';

/** Everything a caller could tell apart: values, their classes, key order. */
const shape = (value: unknown) => inspect(value, { depth: null, sorted: false, getters: false });

/** Drizzle's parsers: timestamps, dates and intervals stay text. */
const DRIZZLE_PARSERS = Object.fromEntries(
  [1114, 1184, 1186, 1082, 1231, 1115, 1185, 1187, 1182].map((oid) => [oid, (v: string) => v]),
);

const SCHEMA = `
  CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, doc jsonb, body bytea, at timestamptz);
  CREATE UNIQUE INDEX ${VM_NAME_CONSTRAINT} ON items (name);
  CREATE TABLE children (id int PRIMARY KEY, item int NOT NULL REFERENCES items (id));
`;

let direct: PGlite;
let thread: PgliteThread;

beforeAll(async () => {
  [direct, thread] = await Promise.all([PGlite.create(), openPgliteThread('memory')]);
  for (const db of [direct, thread]) await db.exec(SCHEMA);
}, 60_000);

afterAll(async () => {
  await Promise.all([direct?.close(), thread?.close()]);
});

/** Runs `statement` on both, one after the other, and returns both outcomes. */
async function onBoth<T>(statement: (db: EmbeddedDatabase) => Promise<T>): Promise<[T, T]> {
  return [await statement(direct), await statement(thread)];
}

async function failureOf(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('answers', () => {
  const VALUES = `SELECT 1::int4 AS int, 9007199254740993::int8 AS big, 7::int8 AS small, 1.50::numeric AS num,
    'a''b'::text AS text, true AS bool, '{"a":[1,{"b":null}]}'::jsonb AS jsonb, '[1]'::json AS json,
    '\\xdeadbeef'::bytea AS bytes, '2026-01-02 03:04:05.678+00'::timestamptz AS at, '2026-01-02'::date AS day,
    '1 day'::interval AS span, ARRAY['x', NULL, 'y z'] AS texts, ARRAY[1, 2] AS ints, NULL::text AS nothing,
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, 1 AS same, 'two' AS same`;

  it.each([
    ['default parsing, object rows', VALUES, undefined],
    [
      "drizzle's options: array rows, timestamps as text",
      VALUES,
      { rowMode: 'array', parsers: DRIZZLE_PARSERS },
    ],
    [
      "the queue's parsers: int8 and numeric as text",
      VALUES,
      { parsers: { 20: (v: string) => v, 1700: (v: string) => v } },
    ],
    [
      'parsers that compute, with the type id',
      VALUES,
      { parsers: { 25: (v: string, t: number) => `${t}:${v}`, 1007: (v: string) => v.length } },
    ],
    ['no rows', 'SELECT 1 AS x WHERE false', { rowMode: 'array', parsers: DRIZZLE_PARSERS }],
  ] as const)('%s: the same on the thread', async (_, sql, options) => {
    const [a, b] = await onBoth((db) => db.query(sql, [], options as never));
    expect(shape(b)).toBe(shape(a));
    const [c, d] = await onBoth((db) => db.exec(sql, options as never));
    expect(shape(d)).toBe(shape(c));
  });

  it('parameters over the extended protocol, writes and their counts, several statements at once', async () => {
    const [inserted, insertedThere] = await onBoth((db) =>
      db.query(
        'INSERT INTO items (id, name, doc, body, at) VALUES ($1, $2, $3, $4, $5), ($6, $7, NULL, NULL, NULL) RETURNING *',
        [1, 'one', { k: ["it's"] }, new Uint8Array([0, 255]), '2026-01-02T03:04:05Z', 2, 'two'],
        { parsers: DRIZZLE_PARSERS },
      ),
    );
    expect(shape(insertedThere)).toBe(shape(inserted));
    const [updated, updatedThere] = await onBoth((db) =>
      db.exec(
        "UPDATE items SET name = name || '!' WHERE id > 0; DELETE FROM items WHERE id = 2; SELECT * FROM items",
      ),
    );
    expect(shape(updatedThere)).toBe(shape(updated));
    expect(updatedThere.map((r) => r.affectedRows)).toEqual([2, 3, 3]);
  });
});

describe('errors', () => {
  it('a unique violation: the same class and fields, mapped to the same store error', async () => {
    await onBoth((db) => db.exec("INSERT INTO items (id, name) VALUES (10, 'taken')"));
    const [a, b] = await onBoth((db) =>
      failureOf(() =>
        db.query('INSERT INTO items (id, name) VALUES ($1, $2)', [11, 'taken'], { parsers: DRIZZLE_PARSERS }),
      ),
    );
    expect(b).toBeInstanceOf(messages.DatabaseError);
    expect(shape({ ...b })).toBe(shape({ ...a }));
    expect(b.message).toBe(a.message);
    expect(b).toMatchObject({ code: '23505', constraint: VM_NAME_CONSTRAINT });
    expect((b as { queryOptions?: unknown }).queryOptions).toMatchObject({ parsers: DRIZZLE_PARSERS });
    const mapped = (error: Error) => ({
      code: toStoreError(error).code,
      message: toStoreError(error).message,
    });
    expect(mapped(b)).toEqual(mapped(a));
    expect(mapped(b).code).toBe('ERR_VM_NAME_TAKEN');
  });

  it('a foreign key in a transaction, and a syntax error: the same fields', async () => {
    const [a, b] = await onBoth((db) =>
      failureOf(() => db.transaction((tx) => tx.exec('INSERT INTO children VALUES (1, 999)'))),
    );
    expect(shape({ ...b })).toBe(shape({ ...a }));
    expect(toStoreError(b).code).toBe(toStoreError(a).code);
    const [c, d] = await onBoth((db) => failureOf(() => db.exec('SELEC 1')));
    expect(shape({ ...d })).toBe(shape({ ...c }));
  });

  it('options that cannot cross the thread are refused, not dropped', async () => {
    await expect(thread.query('SELECT 1', [], { serializers: {} } as never)).rejects.toThrow(/serializers/);
  });
});

describe('transactions', () => {
  it('hold back every other statement until they end, then commit', async () => {
    const order: string[] = [];
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = thread.transaction(async (t) => {
      await t.exec("INSERT INTO items (id, name) VALUES (20, 'in tx')");
      inside();
      await held;
      order.push('tx done');
      return 'result';
    });
    await entered;
    const outside = thread
      .query<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE id = 20')
      .then((r) => {
        order.push('outside ran');
        return r.rows[0]?.n;
      });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(order).toEqual([]);
    release();
    expect(await tx).toBe('result');
    // It ran after the commit, and sees it.
    expect(await outside).toBe(1);
    expect(order).toEqual(['tx done', 'outside ran']);
  });

  it('roll back when the callback throws, and rethrow what it threw', async () => {
    const thrown = new Error('callback failed');
    await expect(
      thread.transaction(async (tx) => {
        await tx.exec("INSERT INTO items (id, name) VALUES (30, 'rolled back')");
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect((await thread.query('SELECT 1 FROM items WHERE id = 30')).rows).toEqual([]);
  });

  it('roll back on request, and refuse statements once closed, as PGlite does', async () => {
    const [a, b] = await onBoth(async (db) => {
      let closedAfter = false;
      const result = await db.transaction(async (tx) => {
        await tx.exec("INSERT INTO items (id, name) VALUES (31, 'explicit')");
        await tx.rollback();
        closedAfter = tx.closed;
        return failureOf(() => tx.query('SELECT 1'));
      });
      const left = await db.query('SELECT 1 FROM items WHERE id = 31');
      return { closedAfter, message: result.message, left: left.rows };
    });
    expect(b).toEqual(a);
    expect(b).toEqual({ closedAfter: true, message: 'Transaction is closed', left: [] });
  });

  it('fail with TransactionAbortedError when a failed statement was caught inside', async () => {
    const [a, b] = await onBoth((db) =>
      failureOf(() =>
        db.transaction(async (tx) => {
          await tx.exec('SELEC 1').catch(() => {});
        }),
      ),
    );
    expect(a).toBeInstanceOf(TransactionAbortedError);
    expect(b).toBeInstanceOf(TransactionAbortedError);
    expect(b.message).toBe(a.message);
  });
});

it('delivers notifications before the statement that caused them answers', async () => {
  const seen: string[] = [];
  const stop = thread.onNotification((channel, payload) => seen.push(`${channel}:${payload}`));
  await thread.exec('LISTEN news');
  await thread.exec("NOTIFY news, 'first'");
  expect(seen).toEqual(['news:first']);
  stop();
  await thread.exec("NOTIFY news, 'second'");
  expect(seen).toEqual(['news:first']);
});

describe('the thread', () => {
  it('fails pending and later calls with ERR_STORE_UNAVAILABLE when it is killed', async () => {
    const doomed = await openPgliteThread('memory');
    const pending = doomed.query('SELECT pg_sleep(5)');
    const during = doomed.transaction((tx) => tx.query('SELECT pg_sleep(5)'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await doomed.terminate();
    for (const call of [pending, during, doomed.query('SELECT 1'), doomed.exec('SELECT 1')]) {
      const error = await failureOf(() => call);
      expect(toStoreError(error).code).toBe('ERR_STORE_UNAVAILABLE');
    }
    // Closing what is already gone is not a failure.
    await doomed.close();
  }, 60_000);

  it('refuses calls after close, in PGlite words the store maps to ERR_STORE_UNAVAILABLE', async () => {
    const closing = await openPgliteThread('memory');
    await closing.close();
    expect(closing.closed).toBe(true);
    const error = await failureOf(() => closing.query('SELECT 1'));
    expect(error.message).toBe('PGlite is closed');
    expect(toStoreError(error).code).toBe('ERR_STORE_UNAVAILABLE');
  }, 60_000);

  it('reports why it cannot open, and ends', async () => {
    // A data dir that is a file.
    await expect(openPgliteThread('/dev/null')).rejects.toThrow();
  }, 60_000);

  it('loads under tsx, keeps what it wrote, and leaves the process free to exit after close', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pglite-thread-'));
    try {
      const script = path.join(dir, 'reopen.mts');
      writeFileSync(
        script,
        `import { openPgliteThread } from ${JSON.stringify(fileURLToPath(new URL('./pglite-thread.ts', import.meta.url)))};
        const dir = ${JSON.stringify(path.join(dir, 'db'))};
        let db = await openPgliteThread(dir);
        await db.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('written')");
        await db.close();
        db = await openPgliteThread(dir);
        console.log(JSON.stringify((await db.query('SELECT v FROM kept')).rows));
        await db.close();
        `,
      );
      // It must end by itself: runCommand fails on its time limit otherwise.
      const { code, stdout, stderr } = await runCommand([process.execPath, '--import', 'tsx', script], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        timeoutMs: 60_000,
      });
      expect(code, stderr).toBe(0);
      expect(stdout.trim()).toBe('[{"v":"written"}]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
