import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import {
  API_DESCRIPTION,
  API_SECURITY,
  API_SECURITY_SCHEMES,
  API_TAG_LIST,
  API_TITLE,
} from '../api/document.js';
import { DRIVER_NAME_SCHEMA_ID } from '../api/fields.js';
import { RAW_MEDIA_TYPE, TAR_MEDIA_TYPE } from '../api/files.js';
import { API_PREFIX, API_ROUTES, type ApiRouteSpec } from '../api/routes.js';
import type { DriverInfo } from '../core/vm.js';
import { PUBLIC_ROUTE } from './route-schema.js';

/** Interactive docs (Swagger UI, served from the npm package's own files). */
export const DOCS_PREFIX = '/docs';
export const OPENAPI_PATH = `${API_PREFIX}${API_ROUTES.getOpenApiDocument.path}`;

type Json = Record<string, unknown>;

/** Every `$ref` target under `node`, as component schema names. */
function refsIn(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) refsIn(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        found.add(value.slice('#/components/schemas/'.length));
      } else {
        refsIn(value, found);
      }
    }
  }
}

/**
 * Keeps only the component schemas the operations reach. The zod transform emits every
 * registered schema twice (as written and as read, `VmInput`); only the answers are used.
 */
function withReachableSchemas(document: Json): Json {
  const components = (document.components ?? {}) as Json;
  const schemas = (components.schemas ?? {}) as Record<string, unknown>;
  const reached = new Set<string>();
  refsIn(document.paths, reached);
  for (let pending = [...reached]; pending.length > 0; ) {
    const next = new Set<string>();
    for (const name of pending) refsIn(schemas[name], next);
    pending = [...next].filter((name) => !reached.has(name));
    for (const name of pending) reached.add(name);
  }
  const kept = Object.fromEntries(
    Object.keys(schemas)
      .filter((name) => reached.has(name))
      .sort()
      .map((name) => [name, schemas[name]]),
  );
  return { ...document, components: { ...components, schemas: kept } };
}

/**
 * The driver name schema (a pattern on the wire, so a new driver changes no schema) as this
 * build's drivers: an enum of their names, and what each offers.
 */
function withDriverNames(document: Json, drivers: readonly DriverInfo[]): Json {
  const components = (document.components ?? {}) as Json;
  const schemas = (components.schemas ?? {}) as Record<string, Json>;
  const offers = drivers
    .map((d) => `\`${d.name}\` (${d.features.length > 0 ? d.features.join(', ') : 'no optional features'})`)
    .join(', ');
  const listed = Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) =>
      name === DRIVER_NAME_SCHEMA_ID || name === `${DRIVER_NAME_SCHEMA_ID}Input`
        ? [
            name,
            {
              ...schema,
              enum: drivers.map((d) => d.name),
              description: `A VM driver of this build, with the optional features it offers: ${offers}`,
            },
          ]
        : [name, schema],
    ),
  );
  return { ...document, components: { ...components, schemas: listed } };
}

/**
 * Request bodies that are byte streams: Fastify validates no schema for them (the handler reads
 * the stream), so the document gets them from the route table.
 */
function withStreamedBodies(document: Json): Json {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Json>>;
  for (const route of Object.values(API_ROUTES) as ApiRouteSpec[]) {
    if (!route.streamedBody) continue;
    const operation = paths[route.path]?.[route.method.toLowerCase()];
    if (!operation) continue;
    const bytes = { schema: { type: 'string', format: 'binary' } };
    operation.requestBody = {
      required: true,
      content: { [RAW_MEDIA_TYPE]: bytes, ...(route.streamedBody.tar ? { [TAR_MEDIA_TYPE]: bytes } : {}) },
    };
  }
  return document;
}

/**
 * The OpenAPI document, built from the route schemas (src/api) as routes register; served at
 * `/api/v1/openapi.json` by its own route, and browsable at `/docs`.
 * Register before the routes, so it sees them.
 */
export async function registerApiDocument(
  app: FastifyInstance,
  version: string,
  drivers: readonly DriverInfo[],
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: API_TITLE, description: API_DESCRIPTION, version },
      tags: API_TAG_LIST,
      components: { securitySchemes: API_SECURITY_SCHEMES },
      security: API_SECURITY,
    },
    transform: jsonSchemaTransform,
    transformObject: (input) =>
      withStreamedBodies(
        withDriverNames(withReachableSchemas(jsonSchemaTransformObject(input) as Json), drivers),
      ),
  });
  // Its own context, so marking its routes public touches no other route.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, ...PUBLIC_ROUTE };
    });
    await docs.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      // Swagger UI reads the document the API serves, not a copy of it.
      uiConfig: { urls: [{ url: OPENAPI_PATH, name: API_TITLE }], deepLinking: true },
      // The page's own policy (the API's forbids scripts), minus what breaks or leaks: no forced
      // https on a plain-HTTP gateway, no third-party validator, no framing.
      staticCSP: true,
      transformStaticCSP: (policy) =>
        policy
          .replace(/\s*upgrade-insecure-requests;?/, '')
          .replace(' validator.swagger.io', '')
          .replace("frame-ancestors 'self'", "frame-ancestors 'none'"),
    });
  });
}
