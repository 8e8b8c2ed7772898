/** HTTP requests as they are written, Host header and all, for tests of the gateway's proxy. */
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = Record<string, unknown>>(): T;
}

export interface RawRequestInit {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
}

/** One request on a connection of its own; the whole answer, read. */
export function rawRequest(url: string, init: RawRequestInit = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    // A length for every body: Node sends a DELETE's or OPTIONS' body with neither it nor chunks.
    const headers =
      init.body === undefined
        ? init.headers
        : { 'content-length': Buffer.byteLength(init.body), ...init.headers };
    const req = http.request(url, { method: init.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          text: () => body.toString('utf8'),
          json: <T>() => JSON.parse(body.toString('utf8')) as T,
        });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
