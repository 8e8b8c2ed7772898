/**
 * The web dashboard (packages/dashboard, built into dist/dashboard by `npm run build`): its page
 * at `/` and at every path the page routes itself (`/vms/abc`, `/tasks?status=failed`), and its
 * content-hashed files under `/assets/`. All public: the page holds no data, and signs in and
 * calls the API as any client does. Every other path (the API, the docs, previews, metrics) is
 * left exactly as it was, unknown ones included.
 */
import { access } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AetherError } from '../core/errors.js';
import { DOCS_PREFIX } from './openapi.js';
import { PREVIEW_PATH } from './proxy/preview-addresses.js';
import { PREVIEW_HOST_ROUTE } from './proxy/preview-host-rewrite.js';
import { PUBLIC_ROUTE } from './route-schema.js';

/**
 * The page's own policy (the API's forbids everything): its scripts and styles from this origin
 * only, never inline scripts; inline styles are allowed because the terminal (xterm.js) and the
 * charts set style attributes and elements as they draw.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

export const DASHBOARD_NOT_BUILT = 'the dashboard is not built: run npm run build';

/**
 * Paths that are never the page's, whatever they accept: they answer as they always did (every
 * version of the API included, not only `/api/v1`).
 */
const NOT_PAGES = ['/api', DOCS_PREFIX, PREVIEW_PATH, '/metrics', '/assets', PREVIEW_HOST_ROUTE];

/** Hidden from the OpenAPI document: the page is not an API operation. */
const HIDDEN = { hide: true } as const;

const PAGE = 'page';

/** Whether a request is a browser asking for a page: a GET for HTML at a path of no one else. */
function isPageRequest(request: IncomingMessage): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const accept = request.headers.accept;
  if (typeof accept !== 'string' || !accept.toLowerCase().includes('text/html')) return false;
  const url = request.url ?? '/';
  const queryAt = url.indexOf('?');
  const pathname = decodedPath(queryAt === -1 ? url : url.slice(0, queryAt)).toLowerCase();
  return !NOT_PAGES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** The path as the router matches it (`/%61pi` is `/api`); a malformed one as it is. */
function decodedPath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * A router constraint: the page's catch-all route matches only page requests, so every other
 * request that no route takes still reaches the not-found path it reached before (which refuses
 * an unauthenticated caller before saying anything about routes).
 */
const PAGE_REQUESTS = {
  name: 'dashboardPage',
  mustMatchWhenDerived: false,
  storage() {
    const handlers = new Map<unknown, unknown>();
    return {
      get: (value: unknown) => handlers.get(value) ?? null,
      set: (value: unknown, handler: unknown) => {
        handlers.set(value, handler);
      },
    };
  },
  deriveConstraint: (request: IncomingMessage) => (isPageRequest(request) ? PAGE : undefined),
};

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Serves the dashboard built in `dir` (its index.html and assets/). */
export async function registerDashboard(app: FastifyInstance, dir: string): Promise<void> {
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  app.addConstraintStrategy(PAGE_REQUESTS as Parameters<FastifyInstance['addConstraintStrategy']>[0]);

  // Its own context: what marks its routes public and sets its policy touches no other route.
  await app.register(async (dashboard) => {
    dashboard.addHook('onRoute', (route) => {
      route.config = { ...route.config, ...PUBLIC_ROUTE };
    });
    dashboard.addHook('onRequest', async (_request, reply) => {
      reply.header('content-security-policy', DASHBOARD_CSP);
    });
    // A path that names no file (a folder, a dotfile, a path the file server refuses as
    // malformed) is simply not there; anything else goes to the gateway's own handler.
    dashboard.setErrorHandler(async (error: { statusCode?: number }, request) => {
      if (error instanceof AetherError || !error.statusCode || error.statusCode >= 500) throw error;
      throw new AetherError('ERR_NOT_FOUND', `no dashboard file at ${request.url.split('?')[0]}`);
    });

    // Named by their content's hash: a changed file is a new name, so a file never changes.
    await dashboard.register(fastifyStatic, {
      root: path.join(root, 'assets'),
      prefix: '/assets/',
      maxAge: '365d',
      immutable: true,
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      // A build that has not happened yet is answered per request, not warned about at start.
      suppressWarning: true,
    });

    // Read on each request: a new build is served at once, and its page names its new files.
    const page = async (_request: unknown, reply: FastifyReply) => {
      if (!(await exists(index))) throw new AetherError('ERR_NOT_FOUND', DASHBOARD_NOT_BUILT);
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html', root, { cacheControl: false });
    };
    dashboard.get('/', { schema: HIDDEN }, page);
    dashboard.get('/*', { schema: HIDDEN, constraints: { [PAGE_REQUESTS.name]: PAGE } }, page);
  });
}
