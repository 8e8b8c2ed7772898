/**
 * A worker's internal listener: the data plane (see core/data-plane.ts) over HTTP, for gateways
 * in other processes. Only callers presenting the cluster secret get in; every operation is one
 * request, with bodies streamed both ways (a slow guest slows the gateway's upload through TCP,
 * a slow gateway slows the guest's reads).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { DataPlane, DataPlaneVm, TransferFormat } from '../../core/data-plane.js';
import { COMMAND_SIGNALS, type CommandSignal } from '../../core/driver.js';
import { AetherError, toWireError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { parseTerminalSpec } from '../../core/terminal.js';
import { serveTerminalSocket, TERMINAL_FRAME_BYTES } from '../../core/terminal-socket.js';
import { DRIVER_NAME_PATTERN, type DriverName } from '../../core/vm.js';
import {
  bearerToken,
  DATA_PLANE_OPERATIONS,
  DATA_PLANE_PREFIX,
  type DataPlaneOperation,
  ENTRY_HEADER,
  FORMAT_HEADER,
  isClusterSecret,
  MAX_TERMINAL_SPEC_BYTES,
  OPERATIONS_WITH_BODY,
  PORT_UPGRADE_PATH,
  TERMINAL_ATTACH_PATH,
  TUNNEL_PROTOCOL,
} from '../../service/data-plane-wire.js';

export interface DataPlaneListenerOptions {
  host: string;
  port: number;
  secret: string;
}

export interface DataPlaneListener {
  /** The address it listens on, as `http://host:port` (port resolved when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

export async function listenDataPlane(
  plane: DataPlane,
  options: DataPlaneListenerOptions,
  logger: Logger,
): Promise<DataPlaneListener> {
  const server = http.createServer((req, res) => {
    handle(plane, options.secret, req, res).catch((error: unknown) => {
      logger.warn({ err: error }, 'data-plane request failed');
      fail(res, error);
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: TERMINAL_FRAME_BYTES });
  // Upgraded sockets leave the server's bookkeeping: closing the listener ends them here.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req, socket, head) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    upgrade(plane, options.secret, sockets, req, socket, head).catch((error: unknown) => {
      logger.warn({ err: error }, 'data-plane upgrade failed');
      refuseUpgrade(socket, error);
    });
  });
  // Transfers may be long; a stalled peer is noticed by the agent's own deadlines instead.
  server.requestTimeout = 0;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of sockets.clients) client.terminate();
        for (const socket of upgraded) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  plane: DataPlane,
  secret: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://worker');
  if (!isClusterSecret(bearerToken(req.headers.authorization), secret)) {
    req.resume();
    throw new AetherError('ERR_UNAUTHENTICATED', 'the data plane takes only the cluster secret');
  }
  const operation = url.pathname.startsWith(`${DATA_PLANE_PREFIX}/`)
    ? url.pathname.slice(DATA_PLANE_PREFIX.length + 1)
    : '';
  if (!(DATA_PLANE_OPERATIONS as readonly string[]).includes(operation)) {
    req.resume();
    throw new AetherError('ERR_NOT_FOUND', `no data-plane operation at ${url.pathname}`);
  }
  const op = operation as DataPlaneOperation;
  if (!OPERATIONS_WITH_BODY.has(op)) req.resume();
  const q = url.searchParams;
  const vm = vmOf(q);
  // The request's own abort (the gateway went away) stops what it started.
  const aborted = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished)
      aborted.abort(new AetherError('ERR_TRANSFER_ABORTED', 'the gateway went away'));
  });
  switch (op) {
    case 'upload': {
      const mode = q.get('mode');
      const result = await plane.upload(vm, required(q, 'path'), req, {
        format: formatOf(q) ?? 'raw',
        ...(mode !== null ? { mode: Number(mode) } : {}),
        signal: aborted.signal,
      });
      return json(res, 200, result);
    }
    case 'download': {
      const format = formatOf(q);
      const download = await plane.download(vm, required(q, 'path'), {
        ...(format ? { format } : {}),
        signal: aborted.signal,
      });
      res.writeHead(200, {
        'content-type': download.format === 'tar' ? 'application/x-tar' : 'application/octet-stream',
        [ENTRY_HEADER]: JSON.stringify(download.entry),
        [FORMAT_HEADER]: download.format,
        ...(download.size !== undefined ? { 'content-length': download.size } : {}),
      });
      download.body.on('error', (error) => {
        // Headers are gone: cutting the connection is the only way to say the body is incomplete.
        res.destroy(error);
      });
      res.on('close', () => download.body.destroy());
      download.body.pipe(res);
      return;
    }
    case 'stat':
      return json(res, 200, await plane.stat(vm, required(q, 'path')));
    case 'list':
      return json(
        res,
        200,
        await plane.list(vm, required(q, 'path'), { recursive: q.get('recursive') === 'true' }),
      );
    case 'mkdir':
      await plane.mkdir(vm, required(q, 'path'), { parents: q.get('parents') === 'true' });
      return json(res, 200, {});
    case 'remove':
      await plane.remove(vm, required(q, 'path'), { recursive: q.get('recursive') === 'true' });
      return json(res, 200, {});
    case 'rename':
      await plane.rename(vm, required(q, 'from'), required(q, 'to'));
      return json(res, 200, {});
    case 'processes':
      return json(res, 200, await plane.processes(vm));
    case 'usage':
      return json(res, 200, await plane.usage(vm));
    case 'signal': {
      const signal = required(q, 'signal');
      if (!(COMMAND_SIGNALS as readonly string[]).includes(signal))
        throw new AetherError('ERR_VALIDATION', `unknown signal ${signal}`);
      await plane.signal(vm, required(q, 'execution'), signal as CommandSignal);
      return json(res, 200, {});
    }
    case 'stdin':
      return json(res, 200, await plane.stdin(vm, required(q, 'execution'), req));
    case 'terminal-open':
      return json(res, 201, await plane.openTerminal(vm, parseTerminalSpec(await readJsonBody(req))));
    case 'terminals':
      return json(res, 200, await plane.terminals(vm));
    case 'terminal':
      return json(res, 200, await plane.terminal(vm, required(q, 'terminal')));
    case 'terminal-resize':
      await plane.resizeTerminal(vm, required(q, 'terminal'), {
        cols: Number(required(q, 'cols')),
        rows: Number(required(q, 'rows')),
      });
      return json(res, 200, {});
    case 'terminal-close':
      await plane.closeTerminal(vm, required(q, 'terminal'));
      return json(res, 200, {});
  }
}

/**
 * An upgrade: a port connection (the socket becomes the tunnel's raw bytes after a 101) or a
 * terminal attachment (a WebSocket). Refusals are plain HTTP answers on the socket.
 */
async function upgrade(
  plane: DataPlane,
  secret: string,
  sockets: WebSocketServer,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  socket.on('error', () => {});
  const url = new URL(req.url ?? '/', 'http://worker');
  if (!isClusterSecret(bearerToken(req.headers.authorization), secret)) {
    throw new AetherError('ERR_UNAUTHENTICATED', 'the data plane takes only the cluster secret');
  }
  const q = url.searchParams;
  const vm = vmOf(q);
  if (url.pathname === TERMINAL_ATTACH_PATH) {
    const attachment = await plane.attachTerminal(vm, required(q, 'terminal'));
    sockets.handleUpgrade(req, socket, head, (ws) => {
      void serveTerminalSocket(ws, attachment);
    });
    return;
  }
  if (url.pathname !== PORT_UPGRADE_PATH || req.headers.upgrade !== TUNNEL_PROTOCOL) {
    throw new AetherError('ERR_NOT_FOUND', `no data-plane upgrade at ${url.pathname}`);
  }
  const port = Number(required(q, 'port'));
  const aborted = new AbortController();
  socket.once('close', () => aborted.abort(new AetherError('ERR_TRANSFER_ABORTED', 'the gateway went away')));
  const tunnel = await plane.connectPort(vm, port, { signal: aborted.signal });
  if (socket.destroyed) {
    tunnel.destroy();
    return;
  }
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${TUNNEL_PROTOCOL}\r\n\r\n`,
  );
  if (head.length > 0) tunnel.write(head);
  // Both directions with backpressure; either side closing closes the other.
  socket.pipe(tunnel);
  tunnel.pipe(socket);
  tunnel.on('error', () => socket.destroy());
  socket.on('close', () => tunnel.destroy());
  tunnel.on('close', () => socket.destroy());
}

function refuseUpgrade(socket: Duplex, error: unknown): void {
  if (socket.destroyed) return;
  const wire = toWireError(error);
  const status = error instanceof AetherError ? error.status : 500;
  const body = JSON.stringify({ error: wire });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_TERMINAL_SPEC_BYTES)
      throw new AetherError('ERR_BODY_TOO_LARGE', 'terminal spec too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AetherError('ERR_BAD_JSON', 'the terminal spec is not JSON');
  }
}

function vmOf(q: URLSearchParams): DataPlaneVm {
  const driver = required(q, 'driver');
  if (!DRIVER_NAME_PATTERN.test(driver)) throw new AetherError('ERR_VALIDATION', `bad driver name ${driver}`);
  return { id: required(q, 'vm'), driver: driver as DriverName };
}

function formatOf(q: URLSearchParams): TransferFormat | undefined {
  const format = q.get('format');
  if (format === null) return undefined;
  if (format !== 'raw' && format !== 'tar')
    throw new AetherError('ERR_VALIDATION', `unknown format ${format}`);
  return format;
}

function required(q: URLSearchParams, name: string): string {
  const value = q.get(name);
  if (value === null || value === '')
    throw new AetherError('ERR_VALIDATION', `query parameter ${name} is required`);
  return value;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function fail(res: http.ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const wire = toWireError(error);
  const status = error instanceof AetherError ? error.status : 500;
  json(res, status, { error: wire });
}
