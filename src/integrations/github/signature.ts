import { hmacHex, safeEqual } from '../verify.js';

/** The header GitHub signs deliveries with: `sha256=` and the HMAC-SHA256 of the raw body. */
export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';

/** The header value GitHub would send for `body` under `secret`. */
export function signGitHubBody(secret: string, body: Buffer | string): string {
  return `sha256=${hmacHex(secret, body)}`;
}

/**
 * Whether `header` is GitHub's signature of exactly `body` under `secret`, compared in constant
 * time. An empty secret verifies nothing.
 */
export function verifyGitHubSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!secret || header === undefined) return false;
  return safeEqual(header, signGitHubBody(secret, body));
}
