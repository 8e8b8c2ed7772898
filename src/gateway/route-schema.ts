import { RAW_MEDIA_TYPE, TAR_MEDIA_TYPE } from '../api/files.js';
import {
  API_ROUTES,
  type ApiAccess,
  type ApiAnswerSpec,
  type ApiRoute,
  type ApiRouteSpec,
  type ApiTag,
  type OperationId,
} from '../api/routes.js';
import { API_SCHEMAS, type ApiSchema, type ApiSchemaName } from '../api/schemas.js';
import { STREAMED_BODY_ROUTE } from './request-deadline.js';

type SchemaAt<Spec, Key extends string> = Spec extends { readonly [K in Key]: infer N extends ApiSchemaName }
  ? ApiSchema<N>
  : undefined;

type JsonContent<N extends ApiSchemaName> = { 'application/json': { schema: ApiSchema<N> } };

type AnswerContent<A> = (A extends { json: infer J extends ApiSchemaName } ? JsonContent<J> : unknown) &
  (A extends { ndjson: infer L extends ApiSchemaName }
    ? { 'application/x-ndjson': { schema: ApiSchema<L> } }
    : unknown) &
  (A extends { sse: infer E extends ApiSchemaName }
    ? { 'text/event-stream': { schema: ApiSchema<E> } }
    : unknown) &
  (A extends { text: infer T extends ApiSchemaName } ? { 'text/plain': { schema: ApiSchema<T> } } : unknown) &
  (A extends { binary: true } ? BinaryContent : unknown);

type BinaryContent = {
  'application/octet-stream': { schema: ApiSchema<'Binary'> };
  'application/x-tar': { schema: ApiSchema<'Binary'> };
};

type ErrorAnswer<Op extends OperationId> = {
  description: string;
  content: JsonContent<ApiRoute<Op>['errors']>;
};

/** A route's Fastify schema, typed so handlers see their body, params and query as validated. */
export interface RouteSchema<Op extends OperationId> {
  operationId: Op;
  summary: string;
  description?: string;
  tags: ApiTag[];
  /** `[]` on public routes: the document's global bearer requirement does not apply to them. */
  security?: [];
  params: SchemaAt<ApiRoute<Op>, 'params'>;
  querystring: SchemaAt<ApiRoute<Op>, 'query'>;
  body: SchemaAt<ApiRoute<Op>, 'body'>;
  response: {
    [S in keyof ApiRoute<Op>['answers']]: {
      description: string;
      content: AnswerContent<ApiRoute<Op>['answers'][S]>;
    };
  } & { '4xx': ErrorAnswer<Op>; '5xx': ErrorAnswer<Op> };
}

/** Media types of an answer; streams and text are sent as they are, only JSON is serialized. */
function content(answer: ApiAnswerSpec): Record<string, { schema: unknown }> {
  return {
    ...(answer.json ? { 'application/json': { schema: API_SCHEMAS[answer.json] } } : {}),
    ...(answer.ndjson ? { 'application/x-ndjson': { schema: API_SCHEMAS[answer.ndjson] } } : {}),
    ...(answer.sse ? { 'text/event-stream': { schema: API_SCHEMAS[answer.sse] } } : {}),
    ...(answer.text ? { 'text/plain': { schema: API_SCHEMAS[answer.text] } } : {}),
    ...(answer.binary
      ? {
          [RAW_MEDIA_TYPE]: { schema: API_SCHEMAS.Binary },
          [TAR_MEDIA_TYPE]: { schema: API_SCHEMAS.Binary },
        }
      : {}),
  };
}

/**
 * The schema of a route from the route table: request schemas validate, response schemas
 * serialize (a field a schema does not name never reaches the wire) and both feed the document.
 */
export function routeSchema<Op extends OperationId>(operationId: Op): RouteSchema<Op> {
  const route: ApiRouteSpec = API_ROUTES[operationId];
  const errors = { 'application/json': { schema: API_SCHEMAS[route.errors] } };
  const response: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(route.answers)) {
    response[status] = { description: answer.description, content: content(answer) };
  }
  response['4xx'] = { description: 'The request was refused; the code says why', content: errors };
  response['5xx'] = { description: 'The gateway or a backend failed; see `retryable`', content: errors };
  const schema = {
    operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.access === 'public' || route.access === 'signed' ? { security: [] } : {}),
    ...(route.params ? { params: API_SCHEMAS[route.params] } : {}),
    ...(route.query ? { querystring: API_SCHEMAS[route.query] } : {}),
    ...(route.body ? { body: API_SCHEMAS[route.body] } : {}),
    response,
  };
  // The object is built from the same table entry its type is computed from.
  return schema as unknown as RouteSchema<Op>;
}

/** Route config of a route that answers without credentials (read by the authentication hook). */
export const PUBLIC_ROUTE = { public: true } as const;
/** Route config of a route only admin principals may call (read by the authentication hook). */
export const ADMIN_ROUTE = { admin: true } as const;

const ACCESS_CONFIG: Record<ApiAccess, { config?: typeof PUBLIC_ROUTE | typeof ADMIN_ROUTE }> = {
  public: { config: PUBLIC_ROUTE },
  user: {},
  admin: { config: ADMIN_ROUTE },
  // No API key: the request's signature is its credential, which the webhook handler checks.
  signed: { config: PUBLIC_ROUTE },
};

/** The route options of an operation: its schema, and the config its access needs. */
export function routeOptions<Op extends OperationId>(
  operationId: Op,
): {
  schema: RouteSchema<Op>;
  config?: typeof PUBLIC_ROUTE | typeof ADMIN_ROUTE | typeof STREAMED_BODY_ROUTE;
} {
  const route: ApiRouteSpec = API_ROUTES[operationId];
  const options = { schema: routeSchema(operationId), ...ACCESS_CONFIG[route.access] };
  // Streamed bodies are user routes: no access config to merge with.
  return route.streamedBody ? { ...options, config: STREAMED_BODY_ROUTE } : options;
}
