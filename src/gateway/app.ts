import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { API_PREFIX } from '../api/routes.js';
import { UNMATCHED_ROUTE } from '../metrics/http-metrics.js';
import { closeConnectionsWhenDrained } from './close-connections.js';
import type { GatewayDeps, GatewaySettings } from './context.js';
import { registerDashboard } from './dashboard.js';
import { frameworkErrorAnswer, installErrorHandling } from './errors.js';
import { acceptJsonOfAnyContentType } from './json-body-any-type.js';
import { registerApiDocument } from './openapi.js';
import { previewHostRewriter } from './proxy/preview-host-rewrite.js';
import { proxyRoutes } from './proxy/proxy-routes.js';
import { redactUrl } from './redact-url.js';
import { installRequestDeadline } from './request-deadline.js';
import { routeOptions } from './route-schema.js';
import { executeRoutes } from './routes/execute.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';
import { integrationRoutes } from './routes/integrations.js';
import { keyRoutes } from './routes/keys.js';
import { listingRoutes } from './routes/listings.js';
import { logRoutes } from './routes/logs.js';
import { metricsRoutes } from './routes/metrics.js';
import { outboundWebhookRoutes } from './routes/outbound-webhooks.js';
import { overviewRoutes } from './routes/overview.js';
import { previewRoutes } from './routes/previews.js';
import { processRoutes } from './routes/processes.js';
import { recordRoutes } from './routes/records.js';
import { sessionRoutes } from './routes/sessions.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { streamRoutes } from './routes/stream.js';
import { terminalRoutes } from './routes/terminals.js';
import { usageRoutes } from './routes/usage.js';
import { vmRoutes } from './routes/vms.js';
import { webhookRoutes } from './routes/webhooks.js';
import { installSecurity } from './security.js';
import { translateSeedDialect } from './seed-dialect-hook.js';
import { WebhookReceipts } from './webhook-receipts.js';

/** The HTTP gateway. Thin routes: validate, call the service, let one handler map errors. */
export async function buildGateway(deps: GatewayDeps, settings: GatewaySettings): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: settings.bodyLimitBytes,
    // Off: installRequestDeadline enforces it, allowing long uploads that keep moving.
    requestTimeout: 0,
    // Ids and names are validated at 128 characters; the router's own cap must not be lower.
    routerOptions: { maxParamLength: 256 },
    frameworkErrors: frameworkErrorAnswer,
    // Prototype poisoning in JSON bodies is refused, not silently stripped.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Request ids show up in logs and in error reports users send us.
    genReqId: () => crypto.randomUUID(),
    // Preview-domain hosts are the apps', whatever the path: routed by host before any path.
    ...(settings.previews?.domain ? { rewriteUrl: previewHostRewriter(settings.previews.domain) } : {}),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app, deps.logger);
  installRequestDeadline(app, settings.requestTimeoutMs);
  await installSecurity(app, deps.auth, settings.security);
  const { metrics } = deps;
  if (metrics) {
    // Labelled by route pattern, never the URL: ids and probing paths would make a series each.
    app.addHook('onResponse', async (request, reply) => {
      metrics.http.observe({
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        method: request.method,
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      });
    });
  }

  await registerApiDocument(app, deps.version, settings.drivers);

  // A closing gateway answers what waits with 503 at once (the tasks go on), so a shutdown never
  // waits out a `?wait=true` of many minutes; Fastify then finishes the in-flight requests.
  const closing = new AbortController();
  app.addHook('preClose', async () => {
    closing.abort();
  });
  deps = { ...deps, closing: closing.signal };
  closeConnectionsWhenDrained(app);
  // Inbound webhooks as this gateway answered them, for `GET /integrations`.
  const webhookReceipts = new WebhookReceipts();

  await app.register(
    async (api) => {
      // The original system's requests: JSON sent without its content type, and its field names.
      acceptJsonOfAnyContentType(api);
      translateSeedDialect(api);
      await api.register(vmRoutes(deps, settings));
      await api.register(snapshotRoutes(deps, settings));
      await api.register(executeRoutes(deps, settings));
      await api.register(fileRoutes(deps));
      await api.register(processRoutes(deps));
      await api.register(terminalRoutes(deps));
      await api.register(usageRoutes(deps));
      await api.register(recordRoutes(deps, settings));
      await api.register(streamRoutes(deps));
      await api.register(keyRoutes(deps));
      await api.register(sessionRoutes(deps, settings));
      await api.register(logRoutes(deps));
      await api.register(healthRoutes(deps));
      await api.register(webhookRoutes(deps, webhookReceipts));
      await api.register(integrationRoutes(deps, webhookReceipts));
      await api.register(listingRoutes(deps));
      await api.register(overviewRoutes(deps));
      await api.register(outboundWebhookRoutes(deps));
      await api.register(previewRoutes(deps, settings));
      api.get('/openapi.json', routeOptions('getOpenApiDocument'), async () => app.swagger());
    },
    { prefix: API_PREFIX },
  );
  // Outside the API prefix: preview paths are at the root (the API form is under it, hidden).
  await app.register(proxyRoutes(deps, settings));
  if (metrics) await app.register(metricsRoutes(metrics));
  if (settings.dashboardDir) await registerDashboard(app, settings.dashboardDir);
  app.addHook('onResponse', async (request, reply) => {
    deps.logger.debug(
      {
        method: request.method,
        // A browser's stream token and preview tokens ride in URLs: never log them.
        url: redactUrl(request.url),
        principal: request.principal?.id,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  return app;
}
