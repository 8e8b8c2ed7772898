/**
 * The web app tests reach through the proxy: plain HTTP on a free port of this host, with a
 * WebSocket echo on any upgrade (but `/no-ws`, refused with 404). Routes:
 * - `/chunks`: `first`, then the rest once the test calls `release()`;
 * - `/big?mib=N`: N MiB as fast as the reader takes them (`bigWritten` counts what was written);
 * - `/upload`: reads the body, answers `{bytes, sha256}`;
 * - `/hop`: answers with hop-by-hop and end-to-end headers of its own;
 * - anything else: `{method, url, headers}` of the request as the app got it.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface EchoApp {
  port: number;
  /** Requests as the app got them, upgrades included. */
  requests: EchoedRequest[];
  /** Bytes `/big` has written so far. */
  bigWritten(): number;
  /** Lets `/chunks` finish its answer. */
  release(): void;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

export async function startEchoApp(): Promise<EchoApp> {
  const requests: EchoedRequest[] = [];
  let bigWritten = 0;
  let releaseChunks: () => void = () => {};
  let chunksReleased = new Promise<void>((resolve) => {
    releaseChunks = resolve;
  });
  const server = http.createServer(async (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/chunks') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\n');
      await chunksReleased;
      res.end('second\n');
      chunksReleased = new Promise<void>((resolve) => {
        releaseChunks = resolve;
      });
      return;
    }
    if (path === '/big') {
      const mib = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('mib') ?? 1);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': mib * MiB });
      const chunk = Buffer.alloc(64 * 1024, 7);
      bigWritten = 0;
      for (let i = 0; i < mib * 16; i++) {
        if (res.destroyed) return;
        bigWritten += chunk.length;
        if (!res.write(chunk)) await once(res, 'drain').catch(() => {});
      }
      res.end();
      return;
    }
    if (path === '/upload') {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of req) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
      return;
    }
    if (path === '/hop') {
      res.writeHead(200, {
        connection: 'x-app-hop',
        'x-app-hop': '1',
        'proxy-authenticate': 'Basic realm="app"',
        'x-app-end': '1',
        'content-security-policy': "default-src 'self'",
        'set-cookie': ['one=1; Path=/', 'two=2; Path=/'],
        'content-type': 'text/plain',
      });
      res.end('hop');
      return;
    }
    // Drain any body first: an answer sent while the client still writes can reset its request.
    for await (const _ of req) {
      // Nothing: only the request line and headers are echoed.
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-app': 'yes' });
    res.end(
      JSON.stringify({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
      } satisfies EchoedRequest),
    );
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if ((req.url ?? '').startsWith('/no-ws')) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    bigWritten: () => bigWritten,
    release: () => releaseChunks(),
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A TCP port nothing listens on (it was free a moment ago). */
export async function deadPort(): Promise<number> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
