import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL } from './backends.js';

export interface ThrowawayDatabase {
  /** Put it in the test's title: a failure then names the database to look at. */
  name: string;
  url: string;
  create(): Promise<void>;
  drop(): Promise<void>;
}

/** A PostgreSQL database of a test's own on the test server, for cases that act on whole tables. */
export function throwawayDatabase(prefix: string): ThrowawayDatabase {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const url = Object.assign(new URL(POSTGRES_URL), { pathname: `/${name}` }).toString();
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  return {
    name,
    url,
    create: () => admin(`CREATE DATABASE ${name}`),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
