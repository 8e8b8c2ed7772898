/**
 * The data plane of a worker in another process, reached over its internal listener (see
 * data-plane-wire.ts). Bodies stream: an upload is piped into the request as the caller's
 * iterable yields, and a download's body is the response itself.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import WebSocket from 'ws';
import type {
  DataPlane,
  DataPlaneVm,
  Download,
  DownloadOptions,
  RunningProcess,
  StdinResult,
  TransferFormat,
  UploadOptions,
  UploadResult,
} from '../core/data-plane.js';
import type { CommandSignal, TerminalSize } from '../core/driver.js';
import { AetherError, isErrorCode } from '../core/errors.js';
import type { FsEntry, FsListing } from '../core/guest-files.js';
import type { TerminalAttachment, TerminalInfo, TerminalSpec } from '../core/terminal.js';
import { TERMINAL_FRAME_BYTES, terminalSocketAttachment } from '../core/terminal-socket.js';
import type { VmUsage } from '../core/vm-usage.js';
import {
  DATA_PLANE_PREFIX,
  type DataPlaneOperation,
  ENTRY_HEADER,
  FORMAT_HEADER,
  PORT_UPGRADE_PATH,
  TERMINAL_ATTACH_PATH,
  TUNNEL_PROTOCOL,
} from './data-plane-wire.js';

/** Dates travel as ISO text. */
type WireTerminalInfo = Omit<TerminalInfo, 'createdAt' | 'detachedAt'> & {
  createdAt: string;
  detachedAt: string | null;
};

type Query = Record<string, string | number | boolean | undefined>;

export class RemoteDataPlane implements DataPlane {
  constructor(
    /** The worker's registered data-plane URL, e.g. `http://10.0.0.7:8091`. */
    private readonly baseUrl: string,
    private readonly secret: string,
  ) {}

  async upload(
    vm: DataPlaneVm,
    path: string,
    body: AsyncIterable<Uint8Array>,
    options: UploadOptions,
  ): Promise<UploadResult> {
    const query = { ...target(vm), path, format: options.format, mode: options.mode };
    return readJson(await this.call('upload', query, body, options.signal));
  }

  async download(vm: DataPlaneVm, path: string, options: DownloadOptions = {}): Promise<Download> {
    const res = await this.call(
      'download',
      { ...target(vm), path, format: options.format },
      undefined,
      options.signal,
    );
    if (res.statusCode !== 200) return readJson(res);
    const entry = JSON.parse(String(res.headers[ENTRY_HEADER] ?? 'null')) as FsEntry | null;
    const format = res.headers[FORMAT_HEADER] as TransferFormat | undefined;
    if (!entry || (format !== 'raw' && format !== 'tar')) {
      res.destroy();
      throw new AetherError('ERR_INTERNAL', 'the worker answered a download without its entry or format');
    }
    const length = res.headers['content-length'];
    return { entry, format, body: res, ...(length !== undefined ? { size: Number(length) } : {}) };
  }

  async stat(vm: DataPlaneVm, path: string): Promise<FsEntry> {
    return readJson(await this.call('stat', { ...target(vm), path }));
  }

  async list(vm: DataPlaneVm, path: string, options: { recursive?: boolean } = {}): Promise<FsListing> {
    return readJson(await this.call('list', { ...target(vm), path, recursive: options.recursive }));
  }

  async mkdir(vm: DataPlaneVm, path: string, options: { parents?: boolean } = {}): Promise<void> {
    await readJson(await this.call('mkdir', { ...target(vm), path, parents: options.parents }));
  }

  async remove(vm: DataPlaneVm, path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await readJson(await this.call('remove', { ...target(vm), path, recursive: options.recursive }));
  }

  async rename(vm: DataPlaneVm, from: string, to: string): Promise<void> {
    await readJson(await this.call('rename', { ...target(vm), from, to }));
  }

  async processes(vm: DataPlaneVm): Promise<RunningProcess[]> {
    return readJson(await this.call('processes', target(vm)));
  }

  async usage(vm: DataPlaneVm): Promise<VmUsage> {
    // Dates travel as ISO text.
    const usage = await readJson<Omit<VmUsage, 'sampledAt'> & { sampledAt: string }>(
      await this.call('usage', target(vm)),
    );
    return { ...usage, sampledAt: new Date(usage.sampledAt) };
  }

  async signal(vm: DataPlaneVm, executionId: string, signal: CommandSignal): Promise<void> {
    await readJson(await this.call('signal', { ...target(vm), execution: executionId, signal }));
  }

  async stdin(vm: DataPlaneVm, executionId: string, body: AsyncIterable<Uint8Array>): Promise<StdinResult> {
    return readJson(await this.call('stdin', { ...target(vm), execution: executionId }, body));
  }

  /** The worker answers `101` and the socket is the tunnel's raw bytes from then on. */
  connectPort(vm: DataPlaneVm, port: number, options: { signal?: AbortSignal } = {}): Promise<Duplex> {
    const url = this.url(PORT_UPGRADE_PATH, { ...target(vm), port });
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, {
        method: 'GET',
        headers: {
          authorization: `Bearer ${this.secret}`,
          connection: 'Upgrade',
          upgrade: TUNNEL_PROTOCOL,
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      // Anything but an upgrade is a refusal with the worker's error.
      req.on('response', (res) => readJson(res).then(reject, reject));
      req.on('error', (error) => reject(unreachable(this.baseUrl, error)));
      req.end();
    });
  }

  async openTerminal(vm: DataPlaneVm, spec: TerminalSpec): Promise<TerminalInfo> {
    const body = (async function* () {
      yield Buffer.from(JSON.stringify(spec));
    })();
    return terminalInfo(await readJson<WireTerminalInfo>(await this.call('terminal-open', target(vm), body)));
  }

  async terminals(vm: DataPlaneVm): Promise<TerminalInfo[]> {
    return (await readJson<WireTerminalInfo[]>(await this.call('terminals', target(vm)))).map(terminalInfo);
  }

  async terminal(vm: DataPlaneVm, terminalId: string): Promise<TerminalInfo> {
    return terminalInfo(
      await readJson<WireTerminalInfo>(await this.call('terminal', { ...target(vm), terminal: terminalId })),
    );
  }

  async resizeTerminal(vm: DataPlaneVm, terminalId: string, size: TerminalSize): Promise<void> {
    await readJson(await this.call('terminal-resize', { ...target(vm), terminal: terminalId, ...size }));
  }

  async closeTerminal(vm: DataPlaneVm, terminalId: string): Promise<void> {
    await readJson(await this.call('terminal-close', { ...target(vm), terminal: terminalId }));
  }

  /** A WebSocket to the worker, speaking the terminal socket protocol of every hop. */
  attachTerminal(vm: DataPlaneVm, terminalId: string): Promise<TerminalAttachment> {
    const url = this.url(TERMINAL_ATTACH_PATH, { ...target(vm), terminal: terminalId });
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, {
        headers: { authorization: `Bearer ${this.secret}` },
        maxPayload: TERMINAL_FRAME_BYTES,
      });
      // Listening from the start: the first message may come in the same read as the upgrade.
      const attachment = terminalSocketAttachment(socket, terminalId);
      socket.once('open', () => resolve(attachment));
      socket.once('unexpected-response', (_req, res) => readJson(res).then(reject, reject));
      socket.once('error', (error) => reject(unreachable(this.baseUrl, error)));
    });
  }

  private url(path: string, query: Query): URL {
    const url = new URL(path, this.baseUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** One request; resolves with the response once its head arrived (the body is the caller's). */
  private call(
    operation: DataPlaneOperation,
    query: Query,
    body?: AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<http.IncomingMessage> {
    const url = this.url(`${DATA_PLANE_PREFIX}/${operation}`, query);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, {
        method: body ? 'PUT' : 'POST',
        headers: {
          authorization: `Bearer ${this.secret}`,
          ...(body ? { 'content-type': 'application/octet-stream' } : { 'content-length': 0 }),
        },
        ...(signal ? { signal } : {}),
      });
      req.on('response', resolve);
      req.on('error', (error) => reject(unreachable(this.baseUrl, error)));
      if (!body) {
        req.end();
        return;
      }
      // A body that fails midway (the user's connection cut) aborts the request, so the worker
      // sees a cut transfer and removes what it wrote.
      pipeline(body, req).catch((error: unknown) => {
        req.destroy(error as Error);
        reject(error);
      });
    });
  }
}

function terminalInfo(wire: WireTerminalInfo): TerminalInfo {
  return {
    ...wire,
    createdAt: new Date(wire.createdAt),
    detachedAt: wire.detachedAt === null ? null : new Date(wire.detachedAt),
  };
}

function target(vm: DataPlaneVm): Query {
  return { vm: vm.id, driver: vm.driver };
}

function unreachable(baseUrl: string, error: Error): Error {
  if (error.name === 'AbortError') return error;
  return new AetherError(
    'ERR_AGENT_UNREACHABLE',
    `the VM's worker at ${baseUrl} cannot be reached: ${error.message}`,
    {
      cause: error,
    },
  );
}

/** The answer's JSON body, or its error as an AetherError with the worker's code. */
async function readJson<T>(res: Readable & { statusCode?: number }): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const status = res.statusCode ?? 0;
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Reported below with the status.
  }
  if (status >= 200 && status < 300) return parsed as T;
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error && isErrorCode(error.code) && typeof error.message === 'string') {
    throw new AetherError(error.code, error.message);
  }
  throw new AetherError('ERR_INTERNAL', `the VM's worker answered ${status}: ${text.slice(0, 200)}`);
}
