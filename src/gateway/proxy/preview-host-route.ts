/**
 * The preview-domain form: any request to `<port>-<vm id>.<domain>`, routed here by host (see
 * preview-host-rewrite.ts) and authorised by the credentials preview-credentials.ts finds.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AetherError } from '../../core/errors.js';
import { accessOf } from '../../core/principal.js';
import type { AppExchange, ProxyContext } from './app-exchange.js';
import { appPath } from './app-path.js';
import { PREVIEW_QUERY_TOKEN, parsePreviewHost, requestProtocol } from './preview-addresses.js';
import { authorizationIsOurs, previewCookieHeader, previewCredential } from './preview-credentials.js';
import { isRewrittenPreviewHost } from './preview-host-rewrite.js';
import { appRequestHeaders } from './proxy-headers.js';
import { upgradeHeadOf } from './upgrade-heads.js';

export function previewHostHandler(context: ProxyContext, domain: string) {
  const { deps, ports, forward } = context;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const host = isRewrittenPreviewHost(request.raw)
      ? parsePreviewHost(request.headers.host ?? '', domain)
      : null;
    if (!host)
      throw new AetherError('ERR_NOT_FOUND', `no preview at this host: use <port>-<vm id>.${domain}`);
    // The client's own URL: the rewrite only routed it here.
    const url = request.originalUrl;
    const upgrade = upgradeHeadOf(request.raw) !== undefined;
    const exchange = (open: AppExchange['open'], previewToken?: string): AppExchange => ({
      open,
      ...(previewToken !== undefined ? { previewToken } : {}),
      path: appPath(url, 0, [PREVIEW_QUERY_TOKEN]),
      headers: appRequestHeaders(request.raw, {
        port: host.port,
        dropAuthorization: authorizationIsOurs(request, deps.auth),
        upgrade,
      }),
      port: host.port,
    });

    const credential = previewCredential(request, url, deps.auth);
    if (credential.kind === 'none') {
      throw new AetherError(
        'ERR_UNAUTHENTICATED',
        `open the preview URL with its ?${PREVIEW_QUERY_TOKEN}= once, or send an API key of the VM's project`,
      );
    }
    if (credential.kind === 'caller') {
      const access = accessOf(credential.principal);
      return forward(
        request,
        reply,
        exchange(
          async (signal) =>
            (await ports().connect(access, host.vmId, host.port, { signal, via: 'preview-host' })).stream,
        ),
      );
    }
    const { preview, vm } = await deps.services.previews.resolve(credential.token);
    if (vm.id !== host.vmId || preview.port !== host.port) {
      throw new AetherError('ERR_PREVIEW_NOT_FOUND', 'this preview token is for another host');
    }
    const navigation = !upgrade && (request.method === 'GET' || request.method === 'HEAD');
    if (credential.kind === 'query-token' && navigation) {
      // Given once: the browser keeps it as this host's cookie, and the URL it shows loses it.
      const secure = requestProtocol(request.raw) === 'https';
      const seconds = (preview.expiresAt.getTime() - Date.now()) / 1000;
      return reply
        .code(302)
        .header('location', appPath(url, 0, [PREVIEW_QUERY_TOKEN]))
        .header('set-cookie', previewCookieHeader(credential.token, seconds, secure))
        .header('cache-control', 'no-store')
        .send();
    }
    return forward(
      request,
      reply,
      exchange(
        (signal) =>
          ports().connectTo(vm, preview.port, {
            signal,
            caller: `preview:${preview.id}`,
            via: 'preview-host',
          }),
        credential.token,
      ),
    );
  };
}
