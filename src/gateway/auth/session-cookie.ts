/**
 * The dashboard's session cookie: its name, reading it from a Cookie header, and the Set-Cookie
 * values that set and clear it. HttpOnly (no script reads it), SameSite=Strict (no other site's
 * page sends it), Path=/ (the page and the API share it), Secure over https.
 */

export const SESSION_COOKIE = 'aether_session';

/**
 * The session cookie's value in a Cookie header (RFC 6265 §5.4: `name=value` pairs separated by
 * `;`). Undefined when it is absent, and when it appears more than once: a sibling host of the
 * same site can add a second cookie of that name (with a Domain or a longer Path), and guessing
 * which is ours could sign the browser in as someone else.
 */
export function sessionCookieValue(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let found: string | undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at === -1 || pair.slice(0, at).trim() !== SESSION_COOKIE) continue;
    if (found !== undefined) return undefined;
    found = unquote(pair.slice(at + 1).trim());
  }
  return found || undefined;
}

/** A cookie value may be sent in double quotes (RFC 6265 §4.1.1); they are not part of it. */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function cookieAttributes(maxAgeSeconds: number, secure: boolean): string[] {
  return [
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    ...(secure ? ['Secure'] : []),
  ];
}

/** Sets the cookie to `secret` for `maxAgeSeconds`. */
export function sessionCookieHeader(secret: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${SESSION_COOKIE}=${secret}`, ...cookieAttributes(maxAgeSeconds, secure)].join('; ');
}

/** Tells the browser to drop the cookie. */
export function clearedSessionCookieHeader(secure: boolean): string {
  return [`${SESSION_COOKIE}=`, ...cookieAttributes(0, secure)].join('; ');
}
