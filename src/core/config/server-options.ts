import { z } from 'zod';
import { defineOptions, positiveInt, urlOption } from './option.js';

const MiB = 1024 * 1024;

/** The gateway: where it listens, what it accepts and how long it waits (section `server`). */
export const SERVER_OPTIONS = defineOptions({
  host: {
    env: 'AETHER_HOST',
    file: 'server.host',
    default: '127.0.0.1',
    doc: 'Address the gateway listens on',
    schema: z.string().min(1),
  },
  port: {
    env: 'AETHER_PORT',
    file: 'server.port',
    default: 8080,
    doc: 'Gateway TCP port',
    schema: z.coerce.number().int().min(0).max(65_535),
  },
  bodyLimitBytes: {
    env: 'AETHER_BODY_LIMIT_BYTES',
    file: 'server.body_limit_bytes',
    default: MiB,
    doc: 'Largest accepted request body',
    schema: positiveInt,
  },
  waitTimeoutMs: {
    env: 'AETHER_WAIT_TIMEOUT_MS',
    file: 'server.wait_timeout_ms',
    default: 15 * 60_000,
    doc: 'Longest `?wait=true` may block',
    schema: positiveInt,
  },
  rateLimitMax: {
    env: 'AETHER_RATE_LIMIT_MAX',
    file: 'server.rate_limit_max',
    default: 6000,
    doc: 'Requests per project (or per address before authentication) per window',
    schema: positiveInt,
  },
  rateLimitWindowMs: {
    env: 'AETHER_RATE_LIMIT_WINDOW_MS',
    file: 'server.rate_limit_window_ms',
    default: 60_000,
    doc: 'Rate limit window',
    schema: positiveInt,
  },
  corsOrigins: {
    env: 'AETHER_CORS_ORIGINS',
    file: 'server.cors_origins',
    default: '',
    doc: 'Browser origins allowed to call the API, comma-separated; empty = none',
    schema: z
      .string()
      .refine(
        (v) => v.split(',').every((o) => o.trim() === '' || /^https?:\/\/[^/\s]+$/.test(o.trim())),
        'use origins such as https://app.example.com, comma-separated',
      ),
  },
  requestTimeoutMs: {
    env: 'AETHER_REQUEST_TIMEOUT_MS',
    file: 'server.request_timeout_ms',
    default: 30_000,
    doc: 'Longest a client may take to send a request',
    schema: positiveInt,
  },
  publicUrl: {
    env: 'AETHER_PUBLIC_URL',
    file: 'server.public_url',
    default: '',
    doc: "The gateway's URL as clients reach it (https://aether.example.com), for the preview URLs it hands out; empty = each request's own host",
    schema: urlOption(/^https?:/, 'http(s)'),
  },
  dashboardDir: {
    env: 'AETHER_DASHBOARD_DIR',
    file: 'server.dashboard_dir',
    default: '',
    doc: 'Folder of the built web dashboard the gateway serves at `/` (its index.html and assets/); empty = the one built into the package (dist/dashboard)',
    schema: z.string(),
  },
  previewDomain: {
    env: 'AETHER_PREVIEW_DOMAIN',
    file: 'server.preview_domain',
    default: '',
    doc: 'Serve preview URLs on hosts <port>-<vm id>.<this domain> (needs a wildcard DNS record and certificate); empty = under /preview/ on the gateway',
    schema: z
      .string()
      .refine(
        (v) => v === '' || /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(v),
        'use a domain name such as preview.example.com',
      ),
  },
});
