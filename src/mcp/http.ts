/**
 * `aether mcp --http`: MCP over streamable HTTP at `/mcp`, stateless. Each POST is served by a
 * server of its own acting with that request's API key (`Authorization: Bearer <key>`), so
 * callers with different keys see only their own projects. A request without a key acts with
 * the process's key when one was configured, and is refused with 401 otherwise.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AetherClient } from '@aetherium/sdk';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { hostAllowed, keyOfRequest } from './http-checks.js';
import { createAetherMcpServer } from './server.js';

export const MCP_PATH = '/mcp';
/** A write_file of 4 Mi characters, JSON-escaped, fits. */
const MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;

export interface McpHttpOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  gatewayUrl: string;
  /** The key of requests that bring none; without it such requests get 401. */
  processKey?: string;
}

export interface RunningMcpHttpServer {
  /** Where clients connect, e.g. http://127.0.0.1:8090/mcp */
  url: string;
  close(): Promise<void>;
}

/** A JSON-RPC error answer, as the transport itself writes them. */
function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function serveRequest(options: McpHttpOptions, req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== MCP_PATH) return refuse(res, 404, `not found: MCP is served at ${MCP_PATH}`);
  if (!hostAllowed(options.host, req.headers.host)) {
    return refuse(res, 403, 'this server answers only requests addressed to localhost');
  }
  const asked = keyOfRequest(req.headers.authorization);
  const key = asked.kind === 'key' ? asked.key : asked.kind === 'none' ? options.processKey : undefined;
  if (key === undefined) {
    return refuse(res, 401, 'send an Aetherium API key: Authorization: Bearer <key>', {
      'www-authenticate': 'Bearer realm="aetherium"',
    });
  }
  // Stateless: no session to resume (GET) or end (DELETE).
  if (req.method !== 'POST') return refuse(res, 405, 'use POST', { allow: 'POST' });

  const server = createAetherMcpServer(new AetherClient({ baseUrl: options.gatewayUrl, token: key }));
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
  });
  res.once('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
}

export async function startMcpHttpServer(
  options: McpHttpOptions,
  log: (line: string) => void,
): Promise<RunningMcpHttpServer> {
  const http = createServer((req, res) => {
    serveRequest(options, req, res).catch((error: unknown) => {
      log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { address, port } = http.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}${MCP_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
