import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AetherError } from './errors.js';
import { DRIVER_NAMES } from './vm.js';

const MiB = 1024 * 1024;

/**
 * Every option once: its env var, its default and its unit (in the name). The README's
 * configuration table is written from this list.
 */
export const CONFIG_OPTIONS = {
  host: { env: 'AETHER_HOST', default: '127.0.0.1', doc: 'Address the gateway listens on' },
  port: { env: 'AETHER_PORT', default: 8080, doc: 'Gateway TCP port' },
  dataDir: { env: 'AETHER_DATA_DIR', default: './.aether', doc: 'Embedded store, queue and VM files' },
  databaseUrl: {
    env: 'DATABASE_URL',
    default: '',
    doc: 'PostgreSQL URL; empty = embedded PGlite in the data dir',
  },
  redisUrl: { env: 'REDIS_URL', default: '', doc: 'Redis URL for queue and events; empty = embedded' },
  embeddedQueue: {
    env: 'AETHER_EMBEDDED_QUEUE',
    default: 'local',
    doc: 'Queue without Redis: `local` (in-process) or `bullmq` (BullMQ on the embedded database)',
  },
  driver: { env: 'AETHER_DRIVER', default: 'process', doc: 'Default VM driver' },
  warmPoolSize: {
    env: 'AETHER_WARM_POOL_SIZE',
    default: 2,
    doc: 'Sandboxes the process driver keeps booted, so a create takes milliseconds',
  },
  workerId: { env: 'AETHER_WORKER_ID', default: '<hostname>', doc: 'Identity of this worker' },
  workerConcurrency: { env: 'AETHER_WORKER_CONCURRENCY', default: 16, doc: 'Tasks one worker runs at once' },
  outputLimitBytes: {
    env: 'AETHER_OUTPUT_LIMIT_BYTES',
    default: MiB,
    doc: 'Stored output per stream per execution',
  },
  bodyLimitBytes: { env: 'AETHER_BODY_LIMIT_BYTES', default: MiB, doc: 'Largest accepted request body' },
  waitTimeoutMs: {
    env: 'AETHER_WAIT_TIMEOUT_MS',
    default: 15 * 60_000,
    doc: 'Longest `?wait=true` may block',
  },
  createTimeoutMs: { env: 'AETHER_CREATE_TIMEOUT_MS', default: 5 * 60_000, doc: 'Default vm:create limit' },
  executeTimeoutMs: {
    env: 'AETHER_EXECUTE_TIMEOUT_MS',
    default: 10 * 60_000,
    doc: 'Default vm:execute limit',
  },
  deleteTimeoutMs: { env: 'AETHER_DELETE_TIMEOUT_MS', default: 2 * 60_000, doc: 'Default vm:delete limit' },
  logLevel: {
    env: 'AETHER_LOG_LEVEL',
    default: 'info',
    doc: 'fatal, error, warn, info, debug, trace or silent',
  },
} as const;

export type ConfigKey = keyof typeof CONFIG_OPTIONS;

const positiveInt = z.coerce.number().int().positive();

export const configSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65_535),
  dataDir: z.string().min(1),
  databaseUrl: z
    .string()
    .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL'),
  redisUrl: z.string().refine((v) => v === '' || /^rediss?:\/\//.test(v), 'must be a redis:// URL'),
  embeddedQueue: z.enum(['local', 'bullmq']),
  driver: z.enum(DRIVER_NAMES),
  workerId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore; at most 64'),
  warmPoolSize: z.coerce.number().int().min(0).max(64),
  workerConcurrency: positiveInt.max(1024),
  outputLimitBytes: positiveInt,
  bodyLimitBytes: positiveInt,
  waitTimeoutMs: positiveInt,
  createTimeoutMs: positiveInt,
  executeTimeoutMs: positiveInt,
  deleteTimeoutMs: positiveInt,
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

export type AetherConfig = Readonly<z.infer<typeof configSchema>>;

function defaultWorkerId(): string {
  return (
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 64) || 'worker'
  );
}

/**
 * Parse the configuration once, at the edge: flags > env > defaults. Pure apart from reading
 * the hostname; the frozen result is passed down and nothing below reads `process.env`.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: Partial<Record<ConfigKey, string | number | undefined>> = {},
  cwd = process.cwd(),
): AetherConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(CONFIG_OPTIONS) as [
    ConfigKey,
    (typeof CONFIG_OPTIONS)[ConfigKey],
  ][]) {
    const fromEnv = env[option.env];
    raw[key] = flags[key] ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : option.default);
  }
  if (raw.workerId === '<hostname>') raw.workerId = defaultWorkerId();
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as ConfigKey;
      const option = CONFIG_OPTIONS[key];
      return `${key} (${option ? option.env : '?'}=${JSON.stringify(raw[key])}): ${issue.message}`;
    });
    throw new AetherError('ERR_CONFIG', `invalid configuration: ${problems.join('; ')}`);
  }
  return Object.freeze({ ...parsed.data, dataDir: path.resolve(cwd, parsed.data.dataDir) });
}
