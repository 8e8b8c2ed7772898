import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isAetherError } from '../core/errors.js';
import { API_PREFIX, API_ROUTES, type ApiRouteSpec, fastifyPath, fillPath, OPERATION_IDS } from './routes.js';
import { API_SCHEMAS, type ApiSchemaName } from './schemas.js';

/** Every schema the table uses for an answer or an error body. */
function answerSchemaNames(): ApiSchemaName[] {
  const names = new Set<ApiSchemaName>();
  for (const id of OPERATION_IDS) {
    const route: ApiRouteSpec = API_ROUTES[id];
    names.add(route.errors);
    for (const answer of Object.values(route.answers)) {
      for (const name of [answer.json, answer.ndjson, answer.text]) if (name) names.add(name);
    }
  }
  return [...names];
}

describe('the route table', () => {
  it('puts every route under the API prefix, with a distinct method and path', () => {
    const seen = new Set<string>();
    for (const id of OPERATION_IDS) {
      const route: ApiRouteSpec = API_ROUTES[id];
      if (route.path !== '/metrics') expect(route.path.startsWith(`${API_PREFIX}/`), id).toBe(true);
      const key = `${route.method} ${route.path}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it('names only path parameters its params schema declares', () => {
    for (const id of OPERATION_IDS) {
      const route: ApiRouteSpec = API_ROUTES[id];
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = route.params
        ? Object.keys((API_SCHEMAS[route.params] as z.ZodObject).shape).sort()
        : [];
      expect(declared, id).toEqual(inPath);
    }
  });

  it('gives each answer schema its own name as its component id', () => {
    for (const name of answerSchemaNames()) {
      expect(z.globalRegistry.get(API_SCHEMAS[name])?.id, name).toBe(name);
    }
  });

  it('keeps answer schemas transform-free, so the document can describe them', () => {
    for (const name of answerSchemaNames()) {
      expect(
        () => z.toJSONSchema(API_SCHEMAS[name], { io: 'output', unrepresentable: 'throw' }),
        name,
      ).not.toThrow();
    }
  });
});

describe('paths', () => {
  it('become Fastify patterns', () => {
    expect(fastifyPath('/api/v1/vms/{id}/execute')).toBe('/api/v1/vms/:id/execute');
    expect(fastifyPath('/api/v1/vms')).toBe('/api/v1/vms');
  });

  it('are filled with encoded parameters, so an id cannot reach another route', () => {
    expect(fillPath('/api/v1/vms/{id}', { id: 'dev' })).toBe('/api/v1/vms/dev');
    expect(fillPath('/api/v1/vms/{id}', { id: '../tasks/x?y=1' })).toBe('/api/v1/vms/..%2Ftasks%2Fx%3Fy%3D1');
  });

  it('refuse to be filled without their parameters', () => {
    let thrown: unknown;
    try {
      fillPath('/api/v1/vms/{id}', {});
    } catch (error) {
      thrown = error;
    }
    expect(isAetherError(thrown, 'ERR_VALIDATION')).toBe(true);
  });
});
