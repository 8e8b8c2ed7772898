/**
 * The SDK's wire types, rendered from the OpenAPI document a gateway serves: the document is the
 * one source of truth for every client. `generate-sdk-types.ts` writes them; the OpenAPI contract
 * test renders them again and fails when the committed files differ.
 */
import openapiTS, { astToString } from 'openapi-typescript';

type Json = Record<string, unknown>;
interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId?: string }>>;
}

const API_PREFIX = '/api/v1';
const HEADER = '// Generated from the OpenAPI document by `npm run sdk:types`. Do not edit.\n';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export interface SdkTypeFiles {
  /** packages/sdk/src/generated/openapi.ts: `paths`, `components`, `operations`. */
  openapi: string;
  /** packages/sdk/src/generated/routes.ts: each operation's method and path. */
  routes: string;
}

export async function renderSdkTypes(document: Json): Promise<SdkTypeFiles> {
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0], {
    exportType: false,
    alphabetize: true,
  });
  const routes: string[] = [];
  const paths = (document as unknown as OpenApiDocument).paths;
  for (const [path, methods] of Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))) {
    for (const method of HTTP_METHODS) {
      const operationId = methods[method]?.operationId;
      if (!operationId) continue;
      const relative = path.startsWith(`${API_PREFIX}/`) ? path.slice(API_PREFIX.length) : path;
      const prefixed = relative !== path;
      routes.push(
        `  ${operationId}: { method: '${method.toUpperCase()}', path: '${relative}', prefixed: ${prefixed} },`,
      );
    }
  }
  routes.sort();
  return {
    openapi: `${HEADER}/* eslint-disable */\n${astToString(ast)}`,
    routes: `${HEADER}
/**
 * Every operation of the API by its id: its method, its path (with \`{name}\` parameters), and
 * whether the path is under the API's prefix (\`/api/v1\`; \`/metrics\` is not).
 */
export const API_ROUTES = {
${routes.join('\n')}
} as const;

export type OperationId = keyof typeof API_ROUTES;
`,
  };
}
