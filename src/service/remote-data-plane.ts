/**
 * The data plane of a worker in another process, reached over its internal listener (see
 * data-plane-wire.ts). Bodies stream: an upload is piped into the request as the caller's
 * iterable yields, and a download's body is the response itself.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
import type { CommandSignal } from '../core/driver.js';
import { AetherError, isErrorCode } from '../core/errors.js';
import type { FsEntry, FsListing } from '../core/guest-files.js';
import type { VmUsage } from '../core/vm-usage.js';
import {
  DATA_PLANE_PREFIX,
  type DataPlaneOperation,
  ENTRY_HEADER,
  FORMAT_HEADER,
} from './data-plane-wire.js';

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

  /** One request; resolves with the response once its head arrived (the body is the caller's). */
  private call(
    operation: DataPlaneOperation,
    query: Query,
    body?: AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<http.IncomingMessage> {
    const url = new URL(`${DATA_PLANE_PREFIX}/${operation}`, this.baseUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
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
