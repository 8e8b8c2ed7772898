/**
 * The path and query the app is asked for: the client's own bytes, past the prefix the gateway
 * serves the app under and without the gateway's own query parameters. Nothing is decoded and
 * encoded again, so the app sees exactly what the client sent.
 */

/** `rawUrl` past its first `skip` path segments (`/a/b/c?q`, 2 → `/c?q`), minus the query names in `drop`. */
export function appPath(rawUrl: string, skip: number, drop: readonly string[]): string {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt === -1 ? null : rawUrl.slice(queryAt + 1);
  const segments = path.split('/');
  // segments[0] is the empty string before the leading slash.
  const rest = `/${segments.slice(skip + 1).join('/')}`;
  const kept = query === null ? null : withoutParameters(query, drop);
  return kept === null ? rest : `${rest}?${kept}`;
}

/** The path prefix of `rawUrl` that `appPath` skips: its first `skip` segments. */
export function pathPrefix(rawUrl: string, skip: number): string {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  return path
    .split('/')
    .slice(0, skip + 1)
    .join('/');
}

/** A query string without the parameters named in `drop`; null when it had parameters and none is left. */
export function withoutParameters(query: string, drop: readonly string[]): string | null {
  if (drop.length === 0) return query;
  const pairs = query.split('&');
  const kept = pairs.filter((pair) => !drop.includes(parameterName(pair)));
  if (kept.length === pairs.length) return query;
  return kept.length > 0 ? kept.join('&') : null;
}

function parameterName(pair: string): string {
  const name = pair.split('=')[0]!.replaceAll('+', ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
