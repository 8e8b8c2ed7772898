import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import { renderMetrics } from './registry.js';

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
}

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A listener that serves only `GET /metrics`, for a node without a gateway (`aether worker`). It
 * has no authentication: keep it on loopback, or on a network only Prometheus reaches.
 */
export async function startMetricsServer(
  registry: Registry,
  options: MetricsServerOptions,
  logger: Logger,
): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') return answer(response, 404, 'not found; metrics are at /metrics\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return answer(response, 405, 'only GET\n');
    }
    renderMetrics(registry).then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'metrics scrape failed');
        answer(response, 500, 'metrics could not be collected; see the log\n');
      },
    );
  });
  // A scrape is one short request; idle keep-alive sockets must not hold a close up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Every connection, not only idle ones: Node counts one on which no request has arrived
        // yet as busy, and it would hold the close for as long as its client keeps it. A scrape
        // cut at shutdown costs Prometheus one sample.
        server.closeAllConnections();
      }),
  };
}

function answer(response: http.ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}
