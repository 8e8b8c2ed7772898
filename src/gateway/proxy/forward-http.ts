/**
 * An HTTP request forwarded to an app inside a VM: HTTP/1.1 over one connection of its own, both
 * bodies streamed as they come with backpressure end to end (a slow app slows the client's upload,
 * a slow client slows the app's writes), nothing buffered whole. The app's answer goes back with
 * its status and headers as they are, minus hop-by-hop ones: none of the gateway's own headers
 * (its content security policy, CORS) is forced onto it.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AetherError } from '../../core/errors.js';
import { type AppExchange, appFailure } from './app-exchange.js';
import { clientResponseHeaders } from './proxy-headers.js';

export interface ForwardHttpOptions {
  /** How long the request's body may stall (no byte either way) before the connection is cut. */
  bodyIdleMs: number;
  /**
   * The app is served on the gateway's own origin (a `/preview/…` or `/api/v1/…/proxy/…` path,
   * not a preview-domain host): its pages are sandboxed (see APP_SANDBOX).
   */
  onGatewayOrigin: boolean;
}

/**
 * The CSP given to an app's answers on the gateway's own origin. Without it, a page of the
 * untrusted app would share an origin with the dashboard: its scripts could call the API with a
 * signed-in user's session cookie. The sandbox (no `allow-same-origin`) gives the page an opaque
 * origin of its own, so the browser sends it no gateway cookie and lets it read no gateway
 * answer; scripts, forms, popups and downloads still work. An app that needs its own cookies or
 * storage gets a real origin through a preview domain (docs/ports.md).
 */
export const APP_SANDBOX =
  'sandbox allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads';

export async function forwardHttp(
  request: FastifyRequest,
  reply: FastifyReply,
  exchange: AppExchange,
  options: ForwardHttpOptions,
): Promise<FastifyReply> {
  const raw = request.raw;
  const gone = new AbortController();
  // A response closes when it ends or when its client leaves; either way the connection goes.
  reply.raw.once('close', () => gone.abort(new AetherError('ERR_TRANSFER_ABORTED', 'the client went away')));
  const tunnel = await exchange.open(gone.signal);
  if (gone.signal.aborted) {
    tunnel.destroy();
    return reply;
  }
  reply.raw.once('close', () => tunnel.destroy());
  // The HTTP client reports the connection's errors while it uses it; one coming after it let go
  // must not go unhandled.
  tunnel.on('error', () => {});
  stopStalledBody(raw, options.bodyIdleMs);

  const answer = await new Promise<IncomingMessage>((resolve, reject) => {
    const upstream = httpRequest({
      method: raw.method,
      path: exchange.path,
      headers: exchange.headers,
      setHost: false,
      // No agent (not `agent: false`, which makes one that dials TCP itself): the request goes over
      // this connection alone, with `Connection: close`.
      createConnection: () => tunnel,
    });
    upstream.once('response', resolve);
    upstream.on('error', (error) => reject(appFailure(error, exchange.port)));
    // Not `pipeline`: an app may answer before it read the body (413), and that answer must
    // still reach the client, whose request would be destroyed with the body.
    raw.pipe(upstream);
    raw.once('error', (error) => upstream.destroy(error));
  });

  // Set by the gateway's hooks straight on the response (security headers): not the app's.
  for (const name of reply.raw.getHeaderNames()) reply.raw.removeHeader(name);
  reply.code(answer.statusCode ?? 502);
  for (const [name, value] of Object.entries(clientResponseHeaders(answer.headers))) {
    if (value !== undefined) reply.header(name, value);
  }
  if (options.onGatewayOrigin) {
    // Beside the app's own policy, if it sent one: a browser enforces every policy it gets.
    const own = answer.headers['content-security-policy'];
    reply.header('content-security-policy', own ? [own, APP_SANDBOX].flat() : APP_SANDBOX);
  }
  // A stream is sent as it is, with backpressure; the typed reply knows only JSON answers.
  return reply.send(answer as never);
}

/**
 * A request's body may take as long as it needs but may not stall: the gateway's request deadline
 * does not apply to proxied requests (their answers may last for hours), this does, until the
 * body has arrived.
 */
function stopStalledBody(raw: IncomingMessage, idleMs: number): void {
  const socket = raw.socket;
  if (raw.complete || typeof socket?.setTimeout !== 'function') return;
  const idle = () => socket.destroy();
  socket.setTimeout(idleMs, idle);
  const stop = () => {
    socket.setTimeout(0);
    socket.off('timeout', idle);
  };
  raw.once('end', stop);
  raw.once('close', stop);
}
