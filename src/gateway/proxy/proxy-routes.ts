/**
 * The proxy into ports inside VMs. Three ways in, one way through (forward-http, forward-upgrade):
 * - `/api/v1/vms/{id}/ports/{port}/proxy/<path>`: the caller's API key or JWT, as for every VM
 *   route (another project's VM is a 404);
 * - `/preview/<token>/<path>`: the preview's token is the credential, no API key needed;
 * - with a preview domain, any request to `<port>-<vm id>.<domain>`: a preview token (query once,
 *   then cookie; or header) or an API key of the VM's project.
 * None of them is an API request, and no preview token is ever an API credential. Upgrades
 * (WebSockets) go through all three. The routes are outside the route table and the OpenAPI
 * document: any method, any path (see docs/ports.md).
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AetherError } from '../../core/errors.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps, GatewaySettings, PortConnector } from '../context.js';
import { PROXIED_ROUTE } from '../request-deadline.js';
import { PUBLIC_ROUTE } from '../route-schema.js';
import type { ProxyContext } from './app-exchange.js';
import { appPath, pathPrefix } from './app-path.js';
import { forwardHttp } from './forward-http.js';
import { forwardUpgrade } from './forward-upgrade.js';
import { LiveExchanges } from './live-exchanges.js';
import { normalDomain, PREVIEW_PATH, PREVIEW_QUERY_TOKEN } from './preview-addresses.js';
import { authorizationIsOurs } from './preview-credentials.js';
import { PREVIEW_HOST_ROUTE } from './preview-host-rewrite.js';
import { previewHostHandler } from './preview-host-route.js';
import { appRequestHeaders } from './proxy-headers.js';
import { keepUpgradeHeads, upgradeHeadOf } from './upgrade-heads.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: the gateway's CORS headers and preflight answers stay off this route (@fastify/cors). */
    cors?: false;
  }
}

/** The API form's path: `/api/v1/vms/{id}/ports/{port}/proxy`, seven segments. */
const API_PROXY_PATH = '/api/v1/vms/:id/ports/:port/proxy';
const API_PROXY_SEGMENTS = 7;
const PREVIEW_SEGMENTS = 2;

/** Hidden from the OpenAPI document: these are not API operations. */
const HIDDEN = { hide: true } as const;
/** The app answers preflights and sets its own CORS headers. */
const API_PROXY_CONFIG = { ...PROXIED_ROUTE, cors: false } as const;
const PREVIEW_CONFIG = { ...PUBLIC_ROUTE, ...PROXIED_ROUTE, cors: false } as const;

const ID_OR_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** How long a closing gateway lets proxied exchanges finish before it closes them. */
const CLOSE_GRACE_MS = 1000;
/** How often open connections through previews are checked against the store (revoked, expired). */
const PREVIEW_RECHECK_MS = 5000;

export function proxyRoutes(deps: GatewayDeps, settings: GatewaySettings): FastifyPluginAsync {
  const ports = (): PortConnector => {
    if (!deps.ports) throw new AetherError('ERR_UNSUPPORTED', 'this gateway has no port service');
    return deps.ports;
  };
  const domain = settings.previews?.domain ? normalDomain(settings.previews.domain) : undefined;

  const live = new LiveExchanges();
  live.watchPreviews(
    (token) =>
      deps.services.previews.resolve(token).then(
        () => true,
        (error: unknown) => {
          const code = (error as { code?: string }).code;
          if (code === 'ERR_PREVIEW_NOT_FOUND' || code === 'ERR_PREVIEW_EXPIRED') return false;
          throw error;
        },
      ),
    PREVIEW_RECHECK_MS,
  );
  const forward: ProxyContext['forward'] = async (request, reply, exchange) => {
    const head = upgradeHeadOf(request.raw);
    if (head === undefined) {
      live.track(reply.raw, exchange.previewToken);
      return forwardHttp(request, reply, exchange, {
        bodyIdleMs: settings.requestTimeoutMs,
        // Rewritten from a preview-domain host: the app has an origin of its own there.
        onGatewayOrigin: !request.url.startsWith(PREVIEW_HOST_ROUTE),
      });
    }
    live.track(request.raw.socket, exchange.previewToken);
    await forwardUpgrade(request, reply, exchange, head);
    return reply;
  };

  return async (app) => {
    keepUpgradeHeads(app.server);
    app.addHook('preClose', async () => live.closeAll(CLOSE_GRACE_MS));
    // Bodies stay the request's own stream, whatever their type, at any size.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null));
    // An upgrade refused with an error answer (401, 404, 502) leaves a connection nobody reads.
    app.addHook('onResponse', async (request) => {
      if (upgradeHeadOf(request.raw)) request.raw.socket?.end();
    });

    app.all(API_PROXY_PATH, { schema: HIDDEN, config: API_PROXY_CONFIG }, async (request, reply) =>
      slashRedirect(request.raw, reply),
    );
    app.all(`${API_PROXY_PATH}/*`, { schema: HIDDEN, config: API_PROXY_CONFIG }, async (request, reply) => {
      const { id, port } = proxyParams(request.params);
      const access = accessFor(request);
      const url = request.raw.url ?? '/';
      return forward(request, reply, {
        open: async (signal) => (await ports().connect(access, id, port, { signal, via: 'proxy' })).stream,
        path: appPath(url, API_PROXY_SEGMENTS, ['access_token']),
        headers: appRequestHeaders(request.raw, {
          port,
          prefix: pathPrefix(url, API_PROXY_SEGMENTS),
          dropAuthorization: true,
          upgrade: upgradeHeadOf(request.raw) !== undefined,
        }),
        port,
      });
    });

    app.all(`${PREVIEW_PATH}/:token`, { schema: HIDDEN, config: PREVIEW_CONFIG }, async (request, reply) =>
      slashRedirect(request.raw, reply),
    );
    app.all(
      `${PREVIEW_PATH}/:token/*`,
      { schema: HIDDEN, config: PREVIEW_CONFIG },
      async (request, reply) => {
        const { token } = request.params as { token: string };
        const { preview, vm } = await deps.services.previews.resolve(token);
        const url = request.raw.url ?? '/';
        return forward(request, reply, {
          open: (signal) =>
            ports().connectTo(vm, preview.port, { signal, caller: `preview:${preview.id}`, via: 'preview' }),
          path: appPath(url, PREVIEW_SEGMENTS, [PREVIEW_QUERY_TOKEN]),
          headers: appRequestHeaders(request.raw, {
            port: preview.port,
            prefix: pathPrefix(url, PREVIEW_SEGMENTS),
            dropAuthorization: authorizationIsOurs(request, deps.auth),
            upgrade: upgradeHeadOf(request.raw) !== undefined,
          }),
          port: preview.port,
          previewToken: token,
        });
      },
    );

    if (!domain) return;
    app.all(
      `${PREVIEW_HOST_ROUTE}/*`,
      { schema: HIDDEN, config: PREVIEW_CONFIG },
      previewHostHandler({ deps, ports, forward }, domain),
    );
  };
}

function proxyParams(params: unknown): { id: string; port: number } {
  const { id, port } = params as { id: string; port: string };
  if (!ID_OR_NAME.test(id)) {
    throw new AetherError(
      'ERR_VALIDATION',
      'params.id: ids and names are letters, digits, dot, dash or underscore',
    );
  }
  const number = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (!(number >= 1 && number <= 65_535)) {
    throw new AetherError('ERR_VALIDATION', `params.port: use a port from 1 to 65535, not "${port}"`);
  }
  return { id, port: number };
}

/** `/preview/<token>` → `/preview/<token>/`: relative links of the app resolve under the prefix. */
function slashRedirect(raw: IncomingMessage, reply: FastifyReply): FastifyReply {
  const url = raw.url ?? '/';
  const queryAt = url.indexOf('?');
  const location = queryAt === -1 ? `${url}/` : `${url.slice(0, queryAt)}/${url.slice(queryAt)}`;
  return reply.code(308).header('location', location).send();
}
