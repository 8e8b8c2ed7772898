import { isIP } from 'node:net';
import { z } from 'zod';
import { booleanOption, defineOptions, positiveInt } from './option.js';

/** `10.0.0.0/8`, `fd00::/8` or a bare address (a single host). */
export function isCidr(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Outbound webhooks: what their URLs may reach and how deliveries are retried (section `webhooks`). */
export const WEBHOOK_OPTIONS = defineOptions({
  webhookAllowPrivate: {
    env: 'AETHER_WEBHOOKS_ALLOW_PRIVATE',
    file: 'webhooks.allow_private',
    default: false,
    doc: 'Let webhook URLs reach loopback, private, link-local and other internal addresses (development and tests only: it lets any project probe your network)',
    schema: booleanOption,
  },
  webhookAllowCidrs: {
    env: 'AETHER_WEBHOOKS_ALLOW_CIDRS',
    file: 'webhooks.allow_cidrs',
    default: '',
    doc: 'IPv4 or IPv6 CIDRs webhook URLs may reach even where internal addresses are refused, comma-separated',
    schema: z
      .string()
      .refine(
        (v) => v.split(',').every((part) => part.trim() === '' || isCidr(part.trim())),
        'must list CIDRs, comma-separated (10.1.0.0/16,fd00::/8)',
      ),
  },
  webhookTimeoutMs: {
    env: 'AETHER_WEBHOOKS_TIMEOUT_MS',
    file: 'webhooks.timeout_ms',
    default: 10_000,
    doc: 'How long a delivery waits for the receiver to answer before it counts as failed and is retried',
    schema: positiveInt,
  },
  webhookRetryBaseMs: {
    env: 'AETHER_WEBHOOKS_RETRY_BASE_MS',
    file: 'webhooks.retry_base_ms',
    default: 10_000,
    doc: 'Wait before the first retry; each later one waits twice as long (less up to half, at random)',
    schema: positiveInt,
  },
  webhookRetryMaxMs: {
    env: 'AETHER_WEBHOOKS_RETRY_MAX_MS',
    file: 'webhooks.retry_max_ms',
    default: 3_600_000,
    doc: 'Longest wait between two attempts',
    schema: positiveInt,
  },
  webhookRetryForMs: {
    env: 'AETHER_WEBHOOKS_RETRY_FOR_MS',
    file: 'webhooks.retry_for_ms',
    default: 86_400_000,
    doc: 'How long a delivery is retried before it is marked failed',
    schema: positiveInt,
  },
  webhookPollIntervalMs: {
    env: 'AETHER_WEBHOOKS_POLL_INTERVAL_MS',
    file: 'webhooks.poll_interval_ms',
    default: 1000,
    doc: 'How often a gateway looks for due deliveries',
    schema: positiveInt,
  },
});
