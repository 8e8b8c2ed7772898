/**
 * The signature of an outbound webhook: `X-Aether-Signature: sha256=<hex>` where hex is the
 * HMAC-SHA256, keyed with the subscription's secret, of `<X-Aether-Timestamp>.<raw body>`.
 * Signing the timestamp with the body lets a receiver refuse replays of old requests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_PREFIX = 'sha256=';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export interface VerifyWebhookOptions {
  /** Oldest accepted timestamp, in seconds before `now`; default 300. */
  toleranceSeconds?: number;
  /** Unix seconds; default the current time. */
  now?: number;
}

/**
 * What a receiver runs: true when `signature` is this body's and `timestamp` (Unix seconds, as
 * sent) is within the tolerance. Compares in constant time.
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string; signature: string },
  body: string,
  options: VerifyWebhookOptions = {},
): boolean {
  const timestamp = Number(headers.timestamp);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300))
    return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
