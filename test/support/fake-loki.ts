/**
 * A local stand-in for Loki (no Loki server exists on our machines): the push API
 * (`POST /loki/api/v1/push`, JSON streams with nanosecond string timestamps) and
 * `GET /loki/api/v1/query_range` over what was pushed, with a small LogQL subset: one stream
 * selector of `=`, `!=`, `=~` and `!~` matchers, then `|=` / `!=` line filters, string literals
 * with Go escapes; `GET /ready`. Failures can be scripted: answer with a status, or hang without
 * answering.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLokiEntry {
  labels: Record<string, string>;
  ns: bigint;
  line: string;
}

interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

interface ParsedQuery {
  matchers: Matcher[];
  lineFilters: { op: '|=' | '!='; text: string }[];
}

/** Reads a Go double-quoted string at `at`; returns its value and where it ends. */
function readString(query: string, at: number): { value: string; end: number } {
  if (query[at] !== '"') throw new Error(`expected a string at ${at}: ${query.slice(at, at + 20)}`);
  let value = '';
  let i = at + 1;
  while (i < query.length && query[i] !== '"') {
    if (query[i] === '\\') {
      const next = query[i + 1];
      if (next === 'n') value += '\n';
      else if (next === 'r') value += '\r';
      else if (next === 't') value += '\t';
      else if (next === 'u') {
        value += String.fromCharCode(Number.parseInt(query.slice(i + 2, i + 6), 16));
        i += 4;
      } else if (next === '\\' || next === '"') value += next;
      else throw new Error(`unknown escape \\${next}`);
      i += 2;
    } else {
      value += query[i];
      i++;
    }
  }
  if (query[i] !== '"') throw new Error('unterminated string');
  return { value, end: i + 1 };
}

export function parseLogQl(query: string): ParsedQuery {
  let i = 0;
  const skip = () => {
    while (query[i] === ' ') i++;
  };
  skip();
  if (query[i] !== '{') throw new Error('expected a stream selector');
  i++;
  const matchers: Matcher[] = [];
  for (;;) {
    skip();
    const label = /^[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(i))?.[0];
    if (!label) throw new Error(`expected a label at ${i}`);
    i += label.length;
    const op = (['=~', '!~', '!=', '='] as const).find((o) => query.startsWith(o, i));
    if (!op) throw new Error(`expected a matcher operator at ${i}`);
    i += op.length;
    const { value, end } = readString(query, i);
    i = end;
    matchers.push({ label, op, value });
    skip();
    if (query[i] === ',') {
      i++;
      continue;
    }
    if (query[i] === '}') {
      i++;
      break;
    }
    throw new Error(`expected , or } at ${i}`);
  }
  const lineFilters: ParsedQuery['lineFilters'] = [];
  for (;;) {
    skip();
    if (i >= query.length) break;
    const op = (['|=', '!='] as const).find((o) => query.startsWith(o, i));
    if (!op) throw new Error(`unsupported expression at ${i}: ${query.slice(i)}`);
    i += 2;
    skip();
    const { value, end } = readString(query, i);
    i = end;
    lineFilters.push({ op, text: value });
  }
  return { matchers, lineFilters };
}

function matches(entry: FakeLokiEntry, query: ParsedQuery): boolean {
  for (const m of query.matchers) {
    const actual = entry.labels[m.label] ?? '';
    const re = () => new RegExp(`^(?:${m.value})$`);
    const ok =
      m.op === '='
        ? actual === m.value
        : m.op === '!='
          ? actual !== m.value
          : m.op === '=~'
            ? re().test(actual)
            : !re().test(actual);
    if (!ok) return false;
  }
  for (const f of query.lineFilters) {
    if ((f.op === '|=') !== entry.line.includes(f.text)) return false;
  }
  return true;
}

export interface FakeLoki {
  url: string;
  entries: FakeLokiEntry[];
  /** Bodies of the pushes it accepted, in order. */
  pushes: { streams: { stream: Record<string, string>; values: [string, string][] }[] }[];
  /** Push attempts, accepted or not. */
  attempts: number;
  /** Answer the next `count` pushes with `status` (then accept again). */
  failPushes(count: number, status: number): void;
  /** While true, pushes are read but never answered. */
  hang: boolean;
  /** Headers of the last request. */
  lastHeaders: Record<string, string | string[] | undefined>;
  /** Queries it answered, as sent. */
  queries: string[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeLoki(): Promise<FakeLoki> {
  let failing = { count: 0, status: 500 };
  const hung: ServerResponse[] = [];
  const fake: FakeLoki = {
    url: '',
    entries: [],
    pushes: [],
    attempts: 0,
    hang: false,
    lastHeaders: {},
    queries: [],
    failPushes(count, status) {
      failing = { count, status };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      fake.lastHeaders = req.headers;
      const url = new URL(req.url ?? '/', 'http://fake');
      if (req.method === 'POST' && url.pathname === '/loki/api/v1/push') {
        const text = await readBody(req);
        fake.attempts++;
        if (fake.hang) {
          hung.push(res);
          return;
        }
        if (failing.count > 0) {
          failing.count--;
          send(res, failing.status, { message: 'scripted failure' });
          return;
        }
        const body = JSON.parse(text) as FakeLoki['pushes'][number];
        for (const stream of body.streams) {
          for (const [ns, line] of stream.values) {
            if (!/^\d+$/.test(ns)) return send(res, 400, { message: `bad timestamp ${ns}` });
            fake.entries.push({ labels: stream.stream, ns: BigInt(ns), line });
          }
        }
        fake.pushes.push(body);
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'GET' && url.pathname === '/loki/api/v1/query_range') {
        const query = url.searchParams.get('query') ?? '';
        fake.queries.push(query);
        let parsed: ParsedQuery;
        try {
          parsed = parseLogQl(query);
        } catch (error) {
          return send(res, 400, { message: (error as Error).message });
        }
        const start = BigInt(url.searchParams.get('start') ?? '0');
        const end = BigInt(url.searchParams.get('end') ?? `${BigInt(Date.now()) * 1_000_000n}`);
        const limit = Number(url.searchParams.get('limit') ?? '100');
        const forward = url.searchParams.get('direction') === 'forward';
        const found = fake.entries
          .filter((e) => e.ns >= start && e.ns <= end && matches(e, parsed))
          .sort((a, b) => (a.ns === b.ns ? 0 : a.ns < b.ns === forward ? -1 : 1))
          .slice(0, limit);
        const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
        for (const e of found) {
          const key = JSON.stringify(Object.entries(e.labels).sort());
          if (!streams.has(key)) streams.set(key, { stream: e.labels, values: [] });
          streams.get(key)!.values.push([String(e.ns), e.line]);
        }
        return send(res, 200, {
          status: 'success',
          data: { resultType: 'streams', result: [...streams.values()] },
        });
      }
      if (req.method === 'GET' && url.pathname === '/ready') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ready\n');
        return;
      }
      send(res, 404, { message: 'not found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
