/**
 * One attempt at one delivery: a signed JSON POST, judged by its answer. Built on node:http so
 * the connection goes to the addresses the policy's `lookup` approved, and redirects are not
 * followed (a redirect could point anywhere, internal addresses included).
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { ClaimedDelivery } from '../../core/outbound-webhooks.js';
import { VERSION } from '../../core/version.js';
import { signWebhook } from '../../core/webhook-signature.js';
import { type AddressPolicy, hostOf } from './address-policy.js';

/** What the attempt came to, before retry policy: an answer, or no answer at all. */
export type PostResult =
  | { answered: true; statusCode: number }
  | { answered: false; error: string; refused: boolean };

/** The body a receiver gets; the same bytes on every attempt of a delivery. */
export function deliveryBody({ delivery }: Pick<ClaimedDelivery, 'delivery'>): string {
  return JSON.stringify({
    id: delivery.id,
    event: delivery.event,
    project: delivery.project,
    created_at: delivery.createdAt.toISOString(),
    data: delivery.payload,
  });
}

export async function postDelivery(
  claimed: ClaimedDelivery,
  policy: AddressPolicy,
  timeoutMs: number,
): Promise<PostResult> {
  const url = new URL(claimed.subscription.url);
  // A literal address needs no lookup, so node:http would not ask the policy: ask it here.
  const host = hostOf(url);
  const literalRefusal = isIP(host) ? policy.refusal(host) : null;
  if (literalRefusal) return { answered: false, error: `address refused: ${literalRefusal}`, refused: true };
  const body = deliveryBody(claimed);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': `Aetherium-Webhooks/${VERSION}`,
    'x-aether-event': claimed.delivery.event,
    'x-aether-delivery': claimed.delivery.id,
    'x-aether-timestamp': String(timestamp),
    'x-aether-signature': signWebhook(claimed.subscription.secret, timestamp, body),
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    const request = transport.request(
      url,
      { method: 'POST', headers, lookup: policy.lookup, signal: AbortSignal.timeout(timeoutMs) },
      (response) => {
        // The answer's body is not read into anything: only its status counts.
        response.resume();
        response.on('end', () => resolve({ answered: true, statusCode: response.statusCode ?? 0 }));
        response.on('error', () => resolve({ answered: true, statusCode: response.statusCode ?? 0 }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
      resolve({
        answered: false,
        error: timedOut ? `no answer within ${timeoutMs} ms` : `${error.code ?? 'ERROR'}: ${error.message}`,
        refused: error.code === 'EREFUSED_ADDRESS',
      });
    });
    request.end(body);
  });
}
