/**
 * The one keep-alive policy of every stream, on every wire: every KEEPALIVE_INTERVAL_MS the
 * connection carries something the client's parser skips — a WebSocket ping, an SSE comment, a
 * blank NDJSON line — so that proxies and balancers (which drop connections idle for 60 s and
 * more) keep an idle stream open. A WebSocket peer that has not answered the previous ping by
 * then is gone, and dropped; on the other wires a failed write tells.
 */
export const KEEPALIVE_INTERVAL_MS = 15_000;

/** Runs `tick` every interval until the returned function is called. */
export function keepAlive(tick: () => void, intervalMs = KEEPALIVE_INTERVAL_MS): () => void {
  const timer = setInterval(tick, intervalMs);
  return () => clearInterval(timer);
}
