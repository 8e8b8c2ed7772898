/**
 * The Go version's keys for where state lives and how work and logs travel: its `provider`
 * choices (storage, task queue, event bus, logging) and the addresses it gave in parts
 * (`database.host`, `redis.addr`) or as URLs. A provider we do not have is refused; the blocks
 * of providers not chosen are ignored; a provider chosen without an address is refused rather
 * than quietly run embedded.
 */
import { variableReplaced } from './notice.js';
import type { LegacyReader } from './reader.js';
import { type PostgresParts, postgresUrl, redisUrl } from './values.js';
import type { LegacyEntry } from './yaml.js';

/** The fields a PostgreSQL or Redis address is given in, by the canonical block path. */
export const ADDRESS_FIELDS = {
  'storage.postgres': ['host', 'port', 'user', 'password', 'database', 'sslmode', 'url'],
  'queue.redis': ['addr', 'password', 'db', 'url'],
  'event_bus.redis': ['addr', 'password', 'db', 'url'],
} as const;

/** Providers of each kind that blocks of settings may be written for, and what we say of each. */
const UNSUPPORTED: Record<string, Record<string, string>> = {
  storage: {
    mysql: 'the store is PostgreSQL (storage.database_url) or embedded',
    mongodb: 'the store is PostgreSQL (storage.database_url) or embedded',
    dynamodb: 'the store is PostgreSQL (storage.database_url) or embedded',
  },
  queue: {
    rabbitmq: 'the queue is BullMQ on Redis (queue.redis_url) or embedded',
    kafka: 'the queue is BullMQ on Redis (queue.redis_url) or embedded',
  },
  event_bus: {
    nats: 'events travel over Redis (event_bus.redis_url or queue.redis_url) or in-process',
    kafka: 'events travel over Redis (event_bus.redis_url or queue.redis_url) or in-process',
  },
  logging: {
    elasticsearch: 'logs are shipped to Loki (logging.provider: loki) or kept in the store (local)',
    cloudwatch: 'logs are shipped to Loki (logging.provider: loki) or kept in the store (local)',
  },
};

/** Every canonical path this file reads, for naming what a block takes. */
export const BACKEND_PATHS: readonly string[] = [
  ...Object.entries(ADDRESS_FIELDS).flatMap(([block, fields]) => fields.map((f) => `${block}.${f}`)),
  ...Object.entries(UNSUPPORTED).flatMap(([kind, names]) => [
    `${kind}.provider`,
    ...Object.keys(names).map((name) => `${kind}.${name}`),
  ]),
  'storage.postgres.max_open_conns',
  'storage.postgres.max_idle_conns',
  'queue.redis.max_retry',
  'queue.redis.queue_name',
  'queue.memory',
  'event_bus.redis.channel_prefix',
  'event_bus.memory',
  'logging.stdout',
  'logging.loki',
];

/** The provider an entry at `kind.provider` chooses, read (with a notice left to the caller). */
function chosenProvider(r: LegacyReader, kind: string): (Chosen & { entry: LegacyEntry }) | null {
  const entry = r.first(`${kind}.provider`);
  if (!entry) return null;
  const name = r.text(entry);
  return name === null ? null : { entry, path: entry.path, name };
}

interface Chosen {
  /** The key that chose it, as written: `task_queue.provider`. */
  path: string;
  name: string;
  /** The value as written, where it differs from the Go version's name for it. */
  written?: string;
}

/**
 * Ignores the blocks of providers other than the chosen one; with none chosen, the blocks of
 * providers we do not have (the caller reads the others).
 */
function ignoreOtherProviders(
  r: LegacyReader,
  kind: string,
  names: readonly string[],
  chosen: Chosen | null,
): void {
  for (const name of names) {
    const unsupported = UNSUPPORTED[kind]?.[name];
    if (name === chosen?.name || (chosen === null && unsupported === undefined)) continue;
    for (const block of r.at(`${kind}.${name}`)) {
      r.ignore(
        block,
        chosen
          ? `not used: ${chosen.path} is ${chosen.written ?? chosen.name}`
          : `${name} is not supported: ${unsupported}`,
      );
    }
  }
}

/** Reads the address fields under `block`: each field once; null when there are none. */
function addressFields(r: LegacyReader, block: keyof typeof ADDRESS_FIELDS) {
  const entries: LegacyEntry[] = [];
  const written: Record<string, string> = {};
  for (const field of ADDRESS_FIELDS[block]) {
    for (const entry of r.at(`${block}.${field}`)) {
      const text = r.text(entry);
      if (text === null) return null;
      if (written[field] !== undefined && written[field] !== text) {
        r.problem(entry, `disagrees with another ${field} of the same address; keep one`);
        return null;
      }
      written[field] = text;
      entries.push(entry);
    }
  }
  return entries.length === 0 ? null : { entries, written };
}

/** The URL given whole; null (with a problem per field) when fields are given beside it. */
function wholeUrl(
  r: LegacyReader,
  fields: { entries: LegacyEntry[]; written: Record<string, string> },
): string | null {
  const url = fields.written.url;
  if (url === undefined) return null;
  const others = fields.entries.filter((entry) => !entry.path.endsWith('.url'));
  for (const entry of others)
    r.problem(entry, 'cannot be combined with the url of the same address; keep the url');
  return others.length > 0 ? null : url;
}

/**
 * Applies the Go version's variable `name` over a field of the file's address, as its loader
 * did (DB_HOST over database.host, ...), saying so once.
 */
function override(
  r: LegacyReader,
  fields: { entries: LegacyEntry[]; written: Record<string, string> },
  field: string,
  name: string,
  where: string,
): void {
  const value = r.context.env[name];
  if (value === undefined || value === '') return;
  fields.written[field] = value;
  r.notice(fields.entries[0]!, variableReplaced(name, `the ${field} in ${where}`));
}

function readPostgres(r: LegacyReader): void {
  for (const entry of r.at('storage.postgres.max_open_conns')) {
    r.ignore(entry, "the store's connection pool is sized by Aetherium (up to 10 connections a process)");
  }
  for (const entry of r.at('storage.postgres.max_idle_conns')) {
    r.ignore(entry, "the store's connection pool is sized by Aetherium (up to 10 connections a process)");
  }
  const fields = addressFields(r, 'storage.postgres');
  if (!fields) return;
  if (fields.written.url !== undefined) {
    const url = wholeUrl(r, fields);
    if (url !== null) r.set('databaseUrl', url, fields.entries);
    return;
  }
  override(r, fields, 'host', 'DB_HOST', 'storage.database_url');
  override(r, fields, 'password', 'DB_PASSWORD', 'storage.database_url');
  // The Go version's defaults for the fields a file leaves out.
  const parts: PostgresParts = {
    host: 'localhost',
    port: '5432',
    user: '',
    password: '',
    database: '',
    sslmode: 'disable',
    ...fields.written,
  };
  const port = fields.entries.find((entry) => entry.path.endsWith('.port'));
  if (/^\d{1,5}$/.test(parts.port)) r.set('databaseUrl', postgresUrl(parts), fields.entries);
  else r.problem(port ?? fields.entries[0]!, `must be a port number, not ${parts.port}`);
}

function readRedis(r: LegacyReader, block: 'queue.redis' | 'event_bus.redis', withOverrides: boolean): void {
  const option = block === 'queue.redis' ? 'redisUrl' : 'eventsRedisUrl';
  const fields = addressFields(r, block);
  if (!fields) return;
  if (fields.written.url !== undefined) {
    const url = wholeUrl(r, fields);
    if (url !== null) r.set(option, url, fields.entries);
    return;
  }
  const where = block === 'queue.redis' ? 'queue.redis_url' : 'event_bus.redis_url';
  if (withOverrides) {
    override(r, fields, 'addr', 'REDIS_ADDR', where);
    override(r, fields, 'password', 'REDIS_PASSWORD', where);
  }
  const { addr = 'localhost:6379', password = '', db = '' } = fields.written;
  const composed = redisUrl({ addr, password, db });
  if (composed !== null && /^\d*$/.test(db)) r.set(option, composed, fields.entries);
  else
    r.problem(
      fields.entries[0]!,
      `must be an address host:port with a numeric db, not ${addr}${db ? ` db ${db}` : ''}`,
    );
}

/** `storage.provider` and the PostgreSQL address (`database.*`, `storage.postgres.*`). */
export function readStorage(r: LegacyReader): void {
  const provider = chosenProvider(r, 'storage');
  ignoreOtherProviders(r, 'storage', Object.keys(UNSUPPORTED.storage!), provider);
  if (!provider || provider.name === 'postgres') readPostgres(r);
  else
    for (const block of r.at('storage.postgres'))
      r.ignore(block, `not used: ${provider.path} is ${provider.name}`);
  if (!provider) return;
  const { entry, name } = provider;
  if (name === 'postgres') {
    if (r.isSet('databaseUrl'))
      r.ignore(entry, 'the store is PostgreSQL whenever storage.database_url is set');
    else
      r.problem(
        entry,
        'is postgres, but no PostgreSQL address is set: set storage.database_url (or DATABASE_URL)',
      );
  } else if (name === 'memory') {
    r.ignore(
      entry,
      'without storage.database_url the store is embedded PGlite, kept on disk in storage.data_dir',
    );
  } else {
    r.problem(entry, `is ${name}: ${UNSUPPORTED.storage![name] ?? 'use postgres or memory'}`);
  }
}

/** `task_queue.provider` / `queue.provider`, the Redis address, and the asynq tuning. */
export function readQueue(r: LegacyReader): void {
  const provider = chosenProvider(r, 'queue');
  const usesRedis = !provider || provider.name === 'redis' || provider.name === 'asynq';
  ignoreOtherProviders(r, 'queue', [...Object.keys(UNSUPPORTED.queue!), 'memory'], provider);
  if (!usesRedis) {
    for (const block of r.at('queue.redis'))
      r.ignore(block, `not used: ${provider!.path} is ${provider!.name}`);
  }
  for (const block of r.at('queue.memory')) r.ignore(block, 'in-process queue sizes are chosen by Aetherium');
  for (const entry of r.at('queue.redis.max_retry'))
    r.ignore(entry, 'each task type has its own retry policy');
  for (const entry of r.at('queue.redis.queue_name')) r.ignore(entry, 'queue names are chosen by Aetherium');
  if (usesRedis) readRedis(r, 'queue.redis', true);
  if (!provider) return;
  const { entry, name } = provider;
  if (usesRedis) {
    if (r.isSet('redisUrl')) r.ignore(entry, 'the queue is BullMQ on Redis whenever queue.redis_url is set');
    else r.problem(entry, `is ${name}, but no Redis address is set: set queue.redis_url (or REDIS_URL)`);
  } else if (name === 'memory') {
    if (r.isSet('databaseUrl')) {
      r.problem(
        entry,
        'is memory, but the store is PostgreSQL, and a node on PostgreSQL queues on Redis: set queue.redis_url, or leave out the PostgreSQL address to run embedded',
      );
    } else r.ignore(entry, 'without queue.redis_url the queue is embedded (queue.embedded)');
  } else {
    r.problem(entry, `is ${name}: ${UNSUPPORTED.queue![name] ?? 'use redis, asynq or memory'}`);
  }
}

/** `event_bus.provider` / `events.provider` and the event bus's Redis address. */
export function readEvents(r: LegacyReader): void {
  const provider = chosenProvider(r, 'event_bus');
  const usesRedis = !provider || provider.name === 'redis';
  ignoreOtherProviders(r, 'event_bus', Object.keys(UNSUPPORTED.event_bus!), provider);
  if (!usesRedis) {
    for (const block of r.at('event_bus.redis'))
      r.ignore(block, `not used: ${provider!.path} is ${provider!.name}`);
  }
  for (const block of r.at('event_bus.memory'))
    r.ignore(block, 'in-process event buffers are sized by Aetherium');
  for (const entry of r.at('event_bus.redis.channel_prefix'))
    r.ignore(entry, 'channel names are chosen by Aetherium');
  if (usesRedis) readRedis(r, 'event_bus.redis', false);
  if (!provider) return;
  const { entry, name } = provider;
  if (name === 'redis')
    r.ignore(entry, 'events travel over Redis whenever event_bus.redis_url or queue.redis_url is set');
  else if (name === 'memory') {
    r.ignore(
      entry,
      "events travel over the queue's Redis when there is one (so that every node sees them), else in-process",
    );
  } else r.problem(entry, `is ${name}: ${UNSUPPORTED.event_bus![name] ?? 'use redis or memory'}`);
}

/**
 * The logging provider's blocks: the chosen one's settings are read by the key table, the
 * others ignored. `logging.provider` itself is our key unless it holds the Go version's value.
 */
export function readLogProvider(r: LegacyReader): void {
  let chosen: Chosen | null = null;
  const entry = r.first('logging.provider');
  if (entry) {
    const name = r.text(entry);
    if (name === 'stdout') r.replaceValue('logProvider', 'local', entry, 'stdout');
    else if (name !== null)
      r.problem(entry, `is ${name}: ${UNSUPPORTED.logging![name] ?? 'use local or loki'}`);
    if (name !== null) chosen = { path: entry.path, name };
  } else {
    const ours = r.context.ours.logProvider;
    if (typeof ours === 'string' && ours !== '') {
      chosen = { path: 'logging.provider', name: ours === 'local' ? 'stdout' : ours, written: ours };
    }
  }
  ignoreOtherProviders(r, 'logging', ['loki', 'stdout', ...Object.keys(UNSUPPORTED.logging!)], chosen);
}
