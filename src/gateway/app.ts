import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { GatewayDeps, GatewaySettings } from './context.js';
import { installErrorHandling } from './errors.js';
import { executeRoutes } from './routes/execute.js';
import { healthRoutes } from './routes/health.js';
import { recordRoutes } from './routes/records.js';
import { vmRoutes } from './routes/vms.js';

export const API_PREFIX = '/api/v1';

/** The HTTP gateway. Thin routes: validate, call the service, let one handler map errors. */
export async function buildGateway(deps: GatewayDeps, settings: GatewaySettings): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: settings.bodyLimitBytes,
    // Request ids show up in logs and in error reports users send us.
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app, deps.logger);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Aetherium API', version: deps.version },
      tags: [
        { name: 'vms' },
        { name: 'executions' },
        { name: 'tasks' },
        { name: 'jobs' },
        { name: 'system' },
      ],
    },
    transform: jsonSchemaTransform,
  });

  // A closing gateway answers what waits with 503 at once (the tasks go on), so a shutdown never
  // waits out a `?wait=true` of many minutes; Fastify then finishes the in-flight requests.
  const closing = new AbortController();
  app.addHook('preClose', async () => {
    closing.abort();
  });
  deps = { ...deps, closing: closing.signal };

  await app.register(
    async (api) => {
      await api.register(vmRoutes(deps, settings));
      await api.register(executeRoutes(deps, settings));
      await api.register(recordRoutes(deps, settings));
      await api.register(healthRoutes(deps));
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: API_PREFIX },
  );
  app.addHook('onResponse', async (request, reply) => {
    deps.logger.debug(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  return app;
}
