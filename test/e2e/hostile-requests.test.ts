/**
 * Generated hostile requests against a real gateway: wrong types, huge strings, deep JSON,
 * unicode, path tricks, bad encodings, prototype poisoning, odd methods and content types, with
 * and without credentials. Every one must get a 4xx with an error code; none may crash the
 * gateway or get a 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/api/routes.js';
import { API_SCHEMAS } from '../../src/api/schemas.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('hostile request generation');
const RUNS = Number(process.env.HOSTILE_REQUESTS ?? 10_000);

/** Routes a caller can reach with a hostile part; public ones answer anything with 200. */
const TARGETS = [
  ...Object.values(API_ROUTES)
    // The log tail and the event stream take no id: a request that passes is a stream that
    // never ends (their validation is covered in test/e2e/logs.test.ts and event-stream.test.ts).
    .filter(
      (r) =>
        r.access !== 'public' &&
        r.path !== API_ROUTES.streamLogs.path &&
        r.path !== API_ROUTES.streamEvents.path,
    )
    .map((r) => ({
      method: r.method as string,
      path: r.path as string,
      body: 'body' in r,
      query: 'query' in r,
      queryKeys: 'query' in r ? Object.keys((API_SCHEMAS[r.query] as { shape?: object }).shape ?? {}) : [],
    })),
  { method: 'POST', path: '/api/v1/keys', body: true, query: false, queryKeys: [] },
  { method: 'DELETE', path: '/api/v1/keys/{id}', body: false, query: false, queryKeys: [] },
  { method: 'GET', path: '/api/v1/keys', body: false, query: false, queryKeys: [] },
];

const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom(
    '..',
    '../../etc/passwd',
    '%2e%2e%2f%2e%2e%2f',
    '%00',
    '\u0000',
    '%',
    '%ZZ',
    '\u202e\u0000evil',
    '😀'.repeat(40),
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    `$${'{'}jndi:ldap://x}`,
    '__proto__',
    'constructor',
    ' ',
    '',
  ),
  fc.integer({ min: 129, max: 20_000 }).map((n) => 'a'.repeat(n)),
);

/** A value of a type no field takes in that place, or a valid type with an invalid value. */
const wrongValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  hostileText,
  fc.array(fc.anything(), { maxLength: 5 }),
  fc.dictionary(hostileText, fc.anything(), { maxKeys: 5 }),
  fc.integer({ min: 1, max: 3000 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
);

/** A body that is broken by construction: bad JSON, the wrong top level, or a field of a wrong type. */
const hostileBody = fc.oneof(
  fc.constantFrom(
    '{',
    '{"name":',
    'nul',
    '[1,2',
    '\u0000',
    '{"a":1}{"b":2}',
    '{"__proto__":{"admin":true},"name":1}',
  ),
  fc.integer({ min: 1, max: 60_000 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
  fc.integer({ min: 1_100_000, max: 1_300_000 }).map((n) => JSON.stringify({ name: 'x'.repeat(n) })),
  wrongValue.map((v) => JSON.stringify(v) ?? 'null').filter((text) => !text.startsWith('{')),
  fc
    .record({
      field: fc.constantFrom(
        'name',
        'command',
        'steps',
        'vcpus',
        'memory_mib',
        'args',
        'env',
        'admin',
        'project',
      ),
      value: wrongValue,
      extra: fc.dictionary(hostileText, fc.anything(), { maxKeys: 3 }),
    })
    // `name`, `command` and `steps` are required somewhere and wrong here: invalid for every route.
    .map(({ field, value, extra }) =>
      JSON.stringify({ ...extra, name: 7, command: [], steps: 'no', [field]: value }),
    ),
);

/** Parameters of listing routes that refuse a bad value (the others are free text: a name, a VM). */
const CHECKED_LIST_PARAMETERS = ['limit', 'status', 'include_deleted'];

/** A bad value for a checked parameter: the first of `keys` the route takes at `pick`. */
const keyedHostileQuery = fc.record({ pick: fc.nat(), value: hostileText });
function keyedQueryFor(keys: readonly string[], { pick, value }: { pick: number; value: string }): string {
  const checked = CHECKED_LIST_PARAMETERS.filter((key) => keys.includes(key));
  const key = checked[pick % Math.max(checked.length, 1)] ?? 'limit';
  return `?${key}=${encodeURIComponent(value)}x`;
}

const hostileQuery = fc.oneof(
  fc.constant(''),
  fc
    .record({
      key: fc.constantFrom('wait', 'stream', 'limit', 'wait_timeout_ms'),
      value: hostileText,
    })
    .map(({ key, value }) => `?${key}=${encodeURIComponent(value)}x`),
  hostileText.map((t) => `?${t}`),
);

describe.skipIf(!canRun)('hostile requests', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode({ AETHER_RATE_LIMIT_MAX: '100000000' });
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
  });

  it(`${RUNS} generated hostile requests: every answer a 4xx with a code, no crash`, async () => {
    const app = node.node.app!;
    const admin = node.node.localAdminKey!;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TARGETS),
        hostileText,
        hostileBody,
        hostileQuery,
        keyedHostileQuery,
        fc.constantFrom('admin', 'admin', 'admin', 'none', 'garbage', 'forged'),
        fc.constantFrom(
          'application/json',
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
          '',
        ),
        fc.boolean(),
        async (target, id, body, query, keyedQuery, who, contentType, rawId) => {
          // A `.` or `..` segment, raw or encoded, is resolved by the URL parser before routing: it
          // names another route (`/vms/../events` is the event stream), not a hostile id; with a
          // character after it, it is one.
          const hostileId = /^\.{1,2}$/.test(id) ? `${id}x` : id;
          const segment = rawId ? hostileId.replace(/[?#\s]/g, '_') : encodeURIComponent(hostileId);
          // A list route without an id gets its hostility from the query (never empty then).
          const path = target.path.includes('{') ? target.path.replace(/\{[^}]+\}/, segment) : target.path;
          // A route with neither id nor body is hostile through its query (a known parameter with
          // a bad value), or, when it takes no query at all, through its credentials.
          const listing = !target.path.includes('{') && !target.body;
          const checkable = target.queryKeys.some((key) => CHECKED_LIST_PARAMETERS.includes(key));
          const effectiveQuery = listing ? keyedQueryFor(target.queryKeys, keyedQuery) : query;
          // A listing with no checked parameter is hostile through its credentials instead.
          const caller = listing && !checkable && who === 'admin' ? 'garbage' : who;
          const headers: Record<string, string> = {};
          if (caller === 'admin') headers.authorization = `Bearer ${admin}`;
          if (caller === 'garbage') headers.authorization = `Bearer ${id.replace(/[^\x21-\x7e]/g, '')}x`;
          if (caller === 'forged') headers.authorization = `Bearer aek_${'Z'.repeat(12)}_${'q'.repeat(32)}`;
          if (contentType) headers['content-type'] = contentType;
          const res = await app.inject({
            method: target.method as 'GET',
            url: `${path}${effectiveQuery}`,
            headers,
            ...(target.body || target.method === 'POST' ? { payload: body } : {}),
          });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode < 400 || res.statusCode >= 500) {
            throw new Error(
              `${target.method} ${path}${effectiveQuery} → ${res.statusCode}: ${res.body.slice(0, 300)}`,
            );
          }
          const error = (res.json() as { error?: { code?: string } }).error;
          if (!error?.code?.startsWith('ERR_')) throw new Error(`no error code in ${res.body.slice(0, 200)}`);
        },
      ),
      { numRuns: RUNS },
    );
    // Still up, still right.
    const health = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.statusCode).toBe(200);
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/vms',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(list.statusCode).toBe(200);
    console.log(`[hostile] ${RUNS} requests by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 600_000);
});
