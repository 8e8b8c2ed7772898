import { hmacHex, safeEqual } from '../verify.js';

export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';

/** Slack's replay window: a request signed longer ago than this (or this far ahead) is refused. */
export const SLACK_MAX_SKEW_MS = 5 * 60_000;

/** The `X-Slack-Signature` Slack would send: `v0=` and the HMAC-SHA256 of `v0:timestamp:body`. */
export function signSlackRequest(secret: string, timestamp: string, body: Buffer | string): string {
  return `v0=${hmacHex(secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), Buffer.from(body)]))}`;
}

export type SlackVerdict = 'ok' | 'unsigned' | 'stale' | 'mismatch';

/**
 * Checks a request the way Slack documents it: the timestamp (whole seconds) within five minutes
 * of `nowMs`, then the v0 signature over `v0:timestamp:body`, in constant time.
 */
export function verifySlackSignature(
  secret: string,
  body: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  nowMs: number,
): SlackVerdict {
  if (!secret || timestamp === undefined || signature === undefined) return 'unsigned';
  if (!/^\d{1,12}$/.test(timestamp)) return 'unsigned';
  if (Math.abs(nowMs - Number(timestamp) * 1000) > SLACK_MAX_SKEW_MS) return 'stale';
  return safeEqual(signature, signSlackRequest(secret, timestamp, body)) ? 'ok' : 'mismatch';
}
