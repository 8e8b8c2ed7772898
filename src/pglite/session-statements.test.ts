/** Recurring statements run as EXECUTE of a statement prepared once, on a real PGlite session. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDatabase } from './embedded-database.js';
import { withInlinedParams } from './inlined-client.js';
import { openPglite } from './open-pglite.js';

let raw: EmbeddedDatabase;
beforeAll(async () => {
  raw = await openPglite('memory');
  await raw.exec('CREATE TABLE items (id int PRIMARY KEY, doc jsonb, at timestamptz, tags text[])');
});
afterAll(async () => {
  await raw.close();
});

const prepared = async () =>
  (await raw.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements'))
    .rows;

describe('statements prepared by their text', () => {
  it('prepares a text the second time it runs, with the same answers as by text', async () => {
    const db = withInlinedParams(raw);
    const insert = 'INSERT INTO items (id, doc, at, tags) VALUES ($1, $2, $3, $4) RETURNING *';
    const values = (id: number) => [
      id,
      { a: [1, "it's"] },
      new Date('2030-01-02T03:04:05.678Z'),
      ['x', 'y z'],
    ];
    const first = await db.query(insert, values(1));
    expect(await prepared()).toEqual([]);
    const second = await db.query(insert, values(2));
    const third = await db.query(insert, values(3));
    expect((await prepared()).map((p) => p.statement)).toEqual([
      expect.stringContaining('INSERT INTO items'),
    ]);
    for (const [result, id] of [
      [first, 1],
      [second, 2],
      [third, 3],
    ] as const) {
      expect(result.rows).toEqual([{ id, doc: { a: [1, "it's"] }, at: values(1)[2], tags: ['x', 'y z'] }]);
      expect(result.affectedRows).toBe(1);
    }
    await raw.exec('DEALLOCATE ALL');
  });

  it('runs by text again when its prepared statement is gone, and keeps the errors it had', async () => {
    const db = withInlinedParams(raw);
    const read = 'SELECT id FROM items WHERE id = $1';
    await db.query(read, [1]);
    await db.query(read, [1]);
    await raw.exec('DEALLOCATE ALL');
    expect((await db.query(read, [2])).rows).toEqual([{ id: 2 }]);
    const insert = 'INSERT INTO items (id) VALUES ($1)';
    await db.query(insert, [10]);
    await db.query(insert, [11]);
    await expect(db.query(insert, [10])).rejects.toMatchObject({ code: '23505' });
    await raw.exec('DEALLOCATE ALL');
  });

  it('prepares nothing inside a transaction, and runs a text it cannot prepare by text', async () => {
    const db = withInlinedParams(raw);
    const read = 'SELECT count(*)::int AS n FROM items WHERE id > $1';
    await db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) expect((await tx.query(read, [0])).rows).toEqual([{ n: 5 }]);
    });
    expect(await prepared()).toEqual([]);
    // Two statements in one text: PREPARE takes one.
    const several = 'SELECT $1::int AS a; SELECT 2 AS b';
    for (let i = 0; i < 3; i++) expect((await db.query(several, [1])).rows).toEqual([{ b: 2 }]);
    expect(await prepared()).toEqual([]);
  });
});
