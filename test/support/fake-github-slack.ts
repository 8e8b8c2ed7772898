/**
 * A local stand-in for GitHub and Slack (their APIs are third-party HTTP): it records every
 * request and answers the way the real services document. GitHub: the REST calls the integration
 * makes, App installation tokens, and git's smart HTTP protocol through `git http-backend` (a
 * CGI that ships with git) over bare repositories in a folder. Slack: `chat.postMessage` and
 * response URLs.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, when it was JSON. */
  json: unknown;
}

export interface FakePull {
  number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  cloneUrl: string;
}

export interface FakeServices {
  url: string;
  /** GitHub API base URL (`AETHER_GITHUB_API_URL`). */
  githubApi: string;
  /** Slack Web API base URL (`AETHER_SLACK_API_URL`). */
  slackApi: string;
  /** Where bare repositories are served: `${gitBase}/owner/name.git`. */
  gitBase: string;
  requests: RecordedRequest[];
  /** Authorization headers git requests came with. */
  gitAuth: (string | undefined)[];
  /** Permission by login (default `read`). */
  permissions: Map<string, string>;
  pulls: Map<number, FakePull>;
  /** Resolves with the first recorded request that matches, waiting up to `timeoutMs`. */
  waitFor(match: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Runs `git http-backend` as a CGI for one request. */
function gitBackend(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathInfo: string,
  query: string,
  body: Buffer,
) {
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      // Set: receive-pack (push) is allowed, as for an authenticated user.
      REMOTE_USER: 'x-access-token',
      REMOTE_ADDR: '127.0.0.1',
      PATH_INFO: pathInfo,
      QUERY_STRING: query,
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      ...(req.headers['content-encoding']
        ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) }
        : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  // http-backend may answer and exit before reading the whole body (a ref advertisement, a
  // refused push): the pipe then breaks, which is its answer, not the test's failure.
  child.stdin.on('error', () => undefined);
  child.stdin.end(body);
  child.on('close', () => {
    const all = Buffer.concat(out);
    const split = all.indexOf('\r\n\r\n');
    const head = all.subarray(0, split).toString('latin1');
    const payload = all.subarray(split + 4);
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const at = line.indexOf(':');
      const name = line.slice(0, at).trim();
      const value = line.slice(at + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else if (name) headers[name] = value;
    }
    res.writeHead(status, headers);
    res.end(payload);
  });
}

export async function startFakeServices(options: {
  gitRoot: string;
  installationToken?: string;
}): Promise<FakeServices> {
  const requests: RecordedRequest[] = [];
  const gitAuth: (string | undefined)[] = [];
  const permissions = new Map<string, string>();
  const pulls = new Map<number, FakePull>();
  const waiters = new Set<() => void>();
  let nextPull = 100;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = await readBody(req);
      if (url.pathname.startsWith('/git/')) {
        gitAuth.push(req.headers.authorization);
        gitBackend(options.gitRoot, req, res, url.pathname.slice('/git'.length), url.search.slice(1), body);
        return;
      }
      let parsed: unknown = null;
      try {
        parsed = body.length > 0 ? JSON.parse(body.toString('utf8')) : null;
      } catch {
        parsed = body.toString('utf8');
      }
      requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, json: parsed });
      for (const wake of waiters) wake();
      const p = url.pathname;
      const permissionOf = /^\/github\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/.exec(p);
      if (permissionOf) {
        const m = permissionOf;
        const permission = permissions.get(decodeURIComponent(m[1]!)) ?? 'read';
        return json(res, 200, { permission, role_name: permission, user: { login: m[1] } });
      }
      const pullOf = /^\/github\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/.exec(p);
      if (pullOf && req.method === 'GET') {
        const m = pullOf;
        const pull = pulls.get(Number(m[1]));
        if (!pull) return json(res, 404, { message: 'Not Found' });
        return json(res, 200, {
          number: pull.number,
          head: { sha: pull.headSha, ref: pull.headRef, repo: { clone_url: pull.cloneUrl } },
          base: { ref: pull.baseRef, repo: { clone_url: pull.cloneUrl } },
        });
      }
      if (/^\/github\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/.test(p) && req.method === 'POST') {
        return json(res, 201, { id: requests.length, body: (parsed as { body?: string })?.body });
      }
      if (/^\/github\/repos\/[^/]+\/[^/]+\/statuses\/[0-9a-f]+$/.test(p) && req.method === 'POST') {
        return json(res, 201, { id: requests.length, ...(parsed as object) });
      }
      if (/^\/github\/repos\/[^/]+\/[^/]+\/pulls$/.test(p) && req.method === 'POST') {
        const number = nextPull++;
        return json(res, 201, { number, html_url: `https://github.example/pull/${number}` });
      }
      if (/^\/github\/app\/installations\/\d+\/access_tokens$/.test(p) && req.method === 'POST') {
        return json(res, 201, {
          token: options.installationToken ?? 'ghs_installation',
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        });
      }
      if (p === '/slack/api/chat.postMessage') return json(res, 200, { ok: true, ts: '1.0' });
      if (p.startsWith('/slack/respond/')) return json(res, 200, { ok: true });
      return json(res, 404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    githubApi: `${url}/github`,
    slackApi: `${url}/slack/api`,
    gitBase: `${url}/git`,
    requests,
    gitAuth,
    permissions,
    pulls,
    async waitFor(match, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = requests.find(match);
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(
            `no matching request within ${timeoutMs} ms; got: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`,
          );
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 200);
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
