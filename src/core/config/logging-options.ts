import { z } from 'zod';
import { defineOptions, positiveInt, urlOption } from './option.js';

/** The node's own logs and command output: format, shipping and retention (section `logging`). */
export const LOGGING_OPTIONS = defineOptions({
  logLevel: {
    env: 'AETHER_LOG_LEVEL',
    file: 'logging.level',
    default: 'info',
    doc: 'fatal, error, warn, info, debug, trace or silent',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
  logFormat: {
    env: 'AETHER_LOG_FORMAT',
    file: 'logging.format',
    default: 'auto',
    doc: 'How logs are written on stderr: `pretty` (one readable line each), `json` (one JSON object per line), or `auto`: pretty on a terminal, JSON otherwise',
    schema: z.enum(['auto', 'pretty', 'json']),
  },
  logProvider: {
    env: 'AETHER_LOG_PROVIDER',
    file: 'logging.provider',
    default: 'local',
    doc: 'Where logs and command output are shipped and queried: `local` (the store, bounded) or `loki`',
    schema: z.enum(['local', 'loki']),
  },
  lokiUrl: {
    env: 'AETHER_LOKI_URL',
    file: 'logging.loki_url',
    default: '',
    doc: 'Base URL of Loki (http://loki:3100) for `provider: loki`',
    schema: urlOption(/^https?:\/\//, 'http(s)://'),
  },
  lokiTenant: {
    env: 'AETHER_LOKI_TENANT',
    file: 'logging.loki_tenant',
    default: '',
    doc: 'Loki tenant (X-Scope-OrgID header); empty = none',
    schema: z.string().regex(/^[A-Za-z0-9._|-]{0,150}$/, 'letters, digits, dot, dash, underscore, pipe'),
  },
  lokiBasicAuth: {
    env: 'AETHER_LOKI_BASIC_AUTH',
    file: 'logging.loki_basic_auth',
    default: '',
    doc: 'Loki credentials as `user:password` (HTTP basic auth); empty = none',
    schema: z.string().refine((v) => v === '' || /^[^:\s]+:\S*$/.test(v), 'use user:password'),
    secret: true,
  },
  logBatchSize: {
    env: 'AETHER_LOG_BATCH_SIZE',
    file: 'logging.batch_size',
    default: 100,
    doc: 'Lines per shipped batch; a batch also leaves when the interval passes',
    schema: positiveInt.max(10_000),
  },
  logBatchIntervalMs: {
    env: 'AETHER_LOG_BATCH_INTERVAL_MS',
    file: 'logging.batch_interval_ms',
    default: 5000,
    doc: 'Longest a line waits before its batch is shipped',
    schema: positiveInt,
  },
  logBufferLines: {
    env: 'AETHER_LOG_BUFFER_LINES',
    file: 'logging.buffer_lines',
    default: 10_000,
    doc: 'Lines kept while the backend is down or behind; past it the oldest command output is dropped first, then the oldest platform lines (aether_log_lines_dropped_total)',
    schema: positiveInt,
  },
  logStoreMaxRows: {
    env: 'AETHER_LOG_STORE_MAX_ROWS',
    file: 'logging.store_max_rows',
    default: 100_000,
    doc: "With `provider: local`, the platform's own lines the store keeps (command output has its own cap); the oldest past it are pruned",
    schema: positiveInt,
  },
  logStoreOutputMaxRows: {
    env: 'AETHER_LOG_STORE_OUTPUT_MAX_ROWS',
    file: 'logging.store_output_max_rows',
    default: 100_000,
    doc: 'With `provider: local`, lines of command output the store keeps; the oldest past it are pruned, never the platform lines',
    schema: positiveInt,
  },
  logStoreMaxAgeMs: {
    env: 'AETHER_LOG_STORE_MAX_AGE_MS',
    file: 'logging.store_max_age_ms',
    default: 7 * 24 * 3_600_000,
    doc: 'With `provider: local`, how long the store keeps a line',
    schema: positiveInt,
  },
});
