import type { Duplex } from 'node:stream';
import { createWebSocketStream, type WebSocket } from 'ws';
import type {
  ApiError as ApiErrorBody,
  CommandSignal,
  CreateVmRequest,
  Execution,
  ExecutionStreamLine,
  Job,
  LogStreamMessage,
  OperationId,
  RouteAnswer,
  RouteBody,
  RouteQuery,
  RouteStatus,
  Task,
  TerminalSize,
} from '../api-types.js';
import { type AetherApiError, apiErrorOf } from '../errors.js';
import { API_ROUTES } from '../generated/routes.js';
import { type EventFeedMessage, type EventFeedOptions, openEventFeed } from './event-stream.js';
import {
  type ExecutionStreamMessage,
  type ExecutionStreamOptions,
  type FollowExecutionOptions,
  followExecution,
  openExecutionStream,
  type StreamTarget,
} from './execution-stream.js';
import {
  type DownloadFileOptions,
  type FileDownload,
  type FsEntry,
  type FsListing,
  fileDownloadOf,
  type UploadFileOptions,
  type UploadResult,
} from './file-transfer.js';
import { type HttpAnswer, httpRequest, RequestBodyError } from './http-request.js';
import { type LogTailOptions, openLogTail } from './log-stream.js';
import { openSocket } from './socket-open.js';
import { type TerminalAttachment, terminalSocketAttachment } from './terminal-socket.js';
import { API_PREFIX, fillPath, RAW_MEDIA_TYPE, TAR_MEDIA_TYPE } from './wire.js';

export interface ClientOptions {
  /** Gateway base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Sent as a bearer token when set. */
  token?: string;
}

/** An array value repeats its key (`?label=a=1&label=b=2`). */
type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/** A filter taking one value or several (sent as the key repeated). */
type OneOrMore<T extends string> = T | readonly T[];

/** A request body sent as bytes, streamed as it is read, under its media type. */
interface StreamedBody {
  bytes: AsyncIterable<Uint8Array>;
  contentType: string;
}

interface CallInit {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  streamed?: StreamedBody;
  signal?: AbortSignal | undefined;
}

/**
 * What a write answers: the 202 fields always, and what `?wait=true` adds (the task, the latest
 * record) when the caller waited.
 */
export type WriteAnswer<
  Op extends OperationId &
    (
      | 'createVm'
      | 'deleteVm'
      | 'stopVm'
      | 'startVm'
      | 'pauseVm'
      | 'resumeVm'
      | 'executeCommand'
      | 'runJob'
      | 'snapshotVm'
      | 'deleteSnapshot'
    ),
> = RouteAnswer<Op, 202 & RouteStatus<Op>> &
  Partial<Omit<RouteAnswer<Op, 200 & RouteStatus<Op>>, keyof RouteAnswer<Op, 202 & RouteStatus<Op>>>>;

/**
 * Typed SDK for the REST API; used by the CLI, the tests and users. Each method calls one
 * operation of the route table (src/api/routes.ts) by its id, with that operation's types.
 */
export class AetherClient {
  readonly #origin: string;

  readonly #signal: AbortSignal | undefined;

  constructor(
    private readonly options: ClientOptions,
    signal?: AbortSignal,
  ) {
    this.#origin = options.baseUrl.replace(/\/+$/, '');
    this.#signal = signal;
  }

  /**
   * The same client with `signal` on each of its requests: aborting it cuts those in flight and
   * refuses new ones (`client.withSignal(AbortSignal.timeout(5000)).getVm(id)`).
   */
  withSignal(signal: AbortSignal | undefined): AetherClient {
    return signal
      ? new AetherClient(this.options, this.#signal ? AbortSignal.any([this.#signal, signal]) : signal)
      : this;
  }

  createVm(body: CreateVmRequest, opts: { wait?: boolean } = {}) {
    return this.#call<WriteAnswer<'createVm'>>('createVm', { body, query: { wait: opts.wait } });
  }

  /** `labels`: `key=value` selectors; a VM must have every one. */
  async listVms(query: { status?: string; includeDeleted?: boolean; labels?: readonly string[] } = {}) {
    const res = await this.#call<RouteAnswer<'listVms', 200>>('listVms', {
      query: { status: query.status, include_deleted: query.includeDeleted, label: query.labels },
    });
    return res.vms;
  }

  getVm(idOrName: string) {
    return this.#call<RouteAnswer<'getVm', 200>>('getVm', { params: { id: idOrName } });
  }

  /** The VM's lifecycle timeline: each change of its status with the reason, oldest first. */
  async listVmEvents(idOrName: string) {
    const res = await this.#call<RouteAnswer<'listVmEvents', 200>>('listVmEvents', {
      params: { id: idOrName },
    });
    return res.events;
  }

  deleteVm(idOrName: string, opts: { wait?: boolean } = {}) {
    return this.#call<WriteAnswer<'deleteVm'>>('deleteVm', {
      params: { id: idOrName },
      query: { wait: opts.wait },
    });
  }

  /** Stops a running VM, keeping its files; `startVm` boots it again. */
  stopVm(idOrName: string, opts: { wait?: boolean } = {}) {
    return this.#call<WriteAnswer<'stopVm'>>('stopVm', {
      params: { id: idOrName },
      query: { wait: opts.wait },
    });
  }

  startVm(idOrName: string, opts: { wait?: boolean } = {}) {
    return this.#call<WriteAnswer<'startVm'>>('startVm', {
      params: { id: idOrName },
      query: { wait: opts.wait },
    });
  }

  /**
   * Freezes a running VM, keeping its memory; `resumeVm` lets it run on. `hibernate`: its memory
   * goes to disk and its VMM ends (qemu, firecracker), so the paused VM holds no RAM.
   */
  pauseVm(idOrName: string, opts: { wait?: boolean; hibernate?: boolean } = {}) {
    return this.#call<WriteAnswer<'pauseVm'>>('pauseVm', {
      params: { id: idOrName },
      query: { wait: opts.wait, hibernate: opts.hibernate },
    });
  }

  resumeVm(idOrName: string, opts: { wait?: boolean } = {}) {
    return this.#call<WriteAnswer<'resumeVm'>>('resumeVm', {
      params: { id: idOrName },
      query: { wait: opts.wait },
    });
  }

  /** Moves the VM's lifetime deadline `ttlSeconds` later; answers the VM with its new `expires_at`. */
  extendVm(idOrName: string, ttlSeconds: number) {
    return this.#call<RouteAnswer<'extendVm', 200>>('extendVm', {
      params: { id: idOrName },
      body: { ttl_seconds: ttlSeconds },
    });
  }

  /** Saves a running VM; start VMs from the snapshot with `createVm({ from_snapshot })`. */
  snapshotVm(idOrName: string, opts: { wait?: boolean } = {}) {
    return this.#call<WriteAnswer<'snapshotVm'>>('snapshotVm', {
      params: { id: idOrName },
      query: { wait: opts.wait },
    });
  }

  getSnapshot(id: string) {
    return this.#call<RouteAnswer<'getSnapshot', 200>>('getSnapshot', { params: { id } });
  }

  async listSnapshots(
    query: { vm?: string; status?: string; includeDeleted?: boolean; limit?: number } = {},
  ) {
    const res = await this.#call<RouteAnswer<'listSnapshots', 200>>('listSnapshots', {
      query: {
        vm: query.vm,
        status: query.status,
        include_deleted: query.includeDeleted,
        limit: query.limit,
      },
    });
    return res.snapshots;
  }

  /** Removes a snapshot's files; refused (409 ERR_SNAPSHOT_IN_USE) while VMs made from it exist. */
  deleteSnapshot(id: string, opts: { wait?: boolean } = {}) {
    return this.#call<WriteAnswer<'deleteSnapshot'>>('deleteSnapshot', {
      params: { id },
      query: { wait: opts.wait },
    });
  }

  /** `waitTimeoutMs`: with `wait`, how long the gateway waits before answering 504 ERR_WAIT_TIMEOUT. */
  execute(
    idOrName: string,
    body: RouteBody<'executeCommand'>,
    opts: { wait?: boolean; waitTimeoutMs?: number } = {},
  ) {
    return this.#call<WriteAnswer<'executeCommand'>>('executeCommand', {
      params: { id: idOrName },
      body,
      query: { wait: opts.wait, wait_timeout_ms: opts.waitTimeoutMs },
    });
  }

  /** Runs a command and yields its output lines as they happen, ending with `exit` or `error`. */
  async *executeStream(
    idOrName: string,
    body: RouteBody<'executeCommand'>,
    signal?: AbortSignal,
  ): AsyncGenerator<ExecutionStreamLine> {
    const res = await this.#open('executeCommand', {
      params: { id: idOrName },
      body,
      query: { stream: true },
      signal,
    });
    if (!res.ok) throw await this.#errorFrom(res);
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) yield JSON.parse(line) as ExecutionStreamLine;
        newline = buffered.indexOf('\n');
      }
    }
  }

  async listExecutions(idOrName: string, limit?: number) {
    const res = await this.#call<RouteAnswer<'listExecutions', 200>>('listExecutions', {
      params: { id: idOrName },
      query: { limit },
    });
    return res.executions;
  }

  getExecution(id: string) {
    return this.#call<RouteAnswer<'getExecution', 200>>('getExecution', { params: { id } });
  }

  /** Executions across the caller's VMs, newest first; `status` filters on their `outcome`. */
  async listAllExecutions(
    query: { vm?: string; status?: OneOrMore<Execution['outcome']>; limit?: number } = {},
  ) {
    const res = await this.#call<RouteAnswer<'listAllExecutions', 200>>('listAllExecutions', {
      query: { vm: query.vm, status: query.status, limit: query.limit },
    });
    return res.executions;
  }

  /**
   * An execution's output over one WebSocket as it happens (stored output first, from
   * `afterSeq`), ending with its `exit` or `error`; see execution-stream.ts.
   */
  openExecutionStream(
    id: string,
    options: ExecutionStreamOptions = {},
  ): AsyncGenerator<ExecutionStreamMessage> {
    return openExecutionStream(this.#streamTarget(id), options);
  }

  /** Like `openExecutionStream`, reconnecting with `after_seq` when the connection drops. */
  followExecution(id: string, options: FollowExecutionOptions = {}): AsyncGenerator<ExecutionStreamMessage> {
    return followExecution(this.#streamTarget(id), options);
  }

  #streamTarget(id: string): StreamTarget {
    return {
      url: this.#origin + routePath('streamExecution', { id }),
      headers: this.options.token ? { authorization: `Bearer ${this.options.token}` } : {},
      error: (status, code, message, body) => apiErrorOf(status, code, message, body),
    };
  }

  /**
   * Streams `body` into the VM at `path`: one file (parents are created), or with `tar` an
   * archive unpacked into the directory `path`. Never reads ahead of what the gateway takes.
   */
  uploadFile(
    idOrName: string,
    path: string,
    body: AsyncIterable<Uint8Array>,
    options: UploadFileOptions = {},
  ): Promise<UploadResult> {
    return this.#call<UploadResult>('uploadFile', {
      params: { id: idOrName },
      query: {
        path,
        mode: options.mode === undefined ? undefined : options.mode.toString(8).padStart(3, '0'),
      },
      streamed: { bytes: body, contentType: options.tar ? TAR_MEDIA_TYPE : RAW_MEDIA_TYPE },
      signal: options.signal,
    });
  }

  /** Opens a file (its bytes) or a directory (a tar archive of it) in the VM for reading. */
  async downloadFile(
    idOrName: string,
    path: string,
    options: DownloadFileOptions = {},
  ): Promise<FileDownload> {
    const res = await this.#open('downloadFile', {
      params: { id: idOrName },
      query: { path, format: options.format },
      signal: options.signal,
    });
    if (!res.ok) throw await this.#errorFrom(res);
    return fileDownloadOf(res, (status, code, message) => apiErrorOf(status, code, message));
  }

  /** One path in the VM; a symlink is described as itself. ERR_FILE_NOT_FOUND when absent. */
  statFile(idOrName: string, path: string): Promise<FsEntry> {
    return this.#call<FsEntry>('statFile', { params: { id: idOrName }, query: { path } });
  }

  /** A directory's entries (with `recursive`, every entry below it, named relative to it). */
  listFiles(idOrName: string, path: string, options: { recursive?: boolean } = {}): Promise<FsListing> {
    return this.#call<FsListing>('listFiles', {
      params: { id: idOrName },
      query: { path, recursive: options.recursive },
    });
  }

  /** Removes a file, a symlink (not what it points to) or a directory; non-empty ones need `recursive`. */
  async removeFile(idOrName: string, path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await this.#call('deleteFile', {
      params: { id: idOrName },
      query: { path, recursive: options.recursive },
    });
  }

  /** With `parents`, missing parents are made too and an existing directory is fine. */
  async makeDirectory(idOrName: string, path: string, options: { parents?: boolean } = {}): Promise<void> {
    await this.#call('makeDirectory', {
      params: { id: idOrName },
      body: { path, parents: options.parents ?? false },
    });
  }

  async moveFile(idOrName: string, from: string, to: string): Promise<void> {
    await this.#call('moveFile', { params: { id: idOrName }, body: { from, to } });
  }

  /** The VM's executions running now, with their pids, as its worker sees them. */
  /** What a running VM uses now (CPU seconds, memory, disk, processes); nulls where its driver cannot tell. */
  getVmUsage(idOrName: string) {
    return this.#call<RouteAnswer<'getVmUsage', 200>>('getVmUsage', { params: { id: idOrName } });
  }

  /**
   * Makes a preview URL of `port` inside the VM: `url` (and the `token` in it) are shown only
   * here. `expiresIn`: seconds or a duration such as `2h`; default 1 h, at most 7 days.
   */
  createPreview(idOrName: string, port: number, options: { expiresIn?: number | string } = {}) {
    return this.#call<RouteAnswer<'createPreview', 201>>('createPreview', {
      params: { id: idOrName },
      body: { port, ...(options.expiresIn !== undefined ? { expires_in: options.expiresIn } : {}) },
    });
  }

  /** The VM's preview URLs, newest first, each with its `state`; never their tokens. */
  async listPreviews(idOrName: string) {
    const res = await this.#call<RouteAnswer<'listPreviews', 200>>('listPreviews', {
      params: { id: idOrName },
    });
    return res.previews;
  }

  /** Revokes a preview URL at once. */
  async revokePreview(idOrName: string, previewId: string): Promise<void> {
    await this.#call<RouteAnswer<'revokePreview', 200>>('revokePreview', {
      params: { id: idOrName, preview_id: previewId },
    });
  }

  async listProcesses(idOrName: string) {
    const res = await this.#call<RouteAnswer<'listProcesses', 200>>('listProcesses', {
      params: { id: idOrName },
    });
    return res.processes;
  }

  /** Signals a running execution's whole process tree; ERR_EXECUTION_NOT_RUNNING once it ended. */
  async signalExecution(id: string, signal: CommandSignal): Promise<void> {
    await this.#call('signalExecution', { params: { id }, body: { signal } });
  }

  /**
   * Streams `body` to the stdin of an execution started with `stdin_stream: true`, as the
   * command reads it; its stdin closes when `body` ends. Answers how many bytes it took.
   */
  feedStdin(
    id: string,
    body: AsyncIterable<Uint8Array>,
    options: { signal?: AbortSignal } = {},
  ): Promise<RouteAnswer<'feedStdin', 200>> {
    return this.#call<RouteAnswer<'feedStdin', 200>>('feedStdin', {
      params: { id },
      streamed: { bytes: body, contentType: RAW_MEDIA_TYPE },
      signal: options.signal,
    });
  }

  /** Starts a command (default: a login shell) on a terminal in the VM; attach to use it. */
  openTerminal(idOrName: string, body: RouteBody<'openTerminal'>) {
    return this.#call<RouteAnswer<'openTerminal', 201>>('openTerminal', { params: { id: idOrName }, body });
  }

  async listTerminals(idOrName: string) {
    const res = await this.#call<RouteAnswer<'listTerminals', 200>>('listTerminals', {
      params: { id: idOrName },
    });
    return res.terminals;
  }

  getTerminal(idOrName: string, terminalId: string) {
    return this.#call<RouteAnswer<'getTerminal', 200>>('getTerminal', {
      params: { id: idOrName, terminal_id: terminalId },
    });
  }

  async resizeTerminal(idOrName: string, terminalId: string, size: TerminalSize): Promise<void> {
    await this.#call('resizeTerminal', { params: { id: idOrName, terminal_id: terminalId }, body: size });
  }

  async closeTerminal(idOrName: string, terminalId: string): Promise<void> {
    await this.#call('closeTerminal', { params: { id: idOrName, terminal_id: terminalId } });
  }

  /**
   * Attaches to a terminal session over a WebSocket: its recent output replayed, then live output
   * and finally its exit as `events`; `write` types, `resize` resizes, `detach` leaves it running.
   */
  async attachTerminal(
    idOrName: string,
    terminalId: string,
    signal?: AbortSignal,
  ): Promise<TerminalAttachment> {
    const path = routePath('attachTerminal', { id: idOrName, terminal_id: terminalId });
    return openSocket(
      this.#socketTarget(path),
      (socket) => terminalSocketAttachment(socket, terminalId),
      signal,
    );
  }

  /**
   * A TCP connection to `port` inside the VM, as a stream: what is written reaches the app, what
   * the app sends is read. Closing it closes the connection.
   */
  /**
   * The WebSocket of a connection to `port` inside the VM, open: its binary frames are the
   * connection's bytes (what `connectPort` wraps as a stream; relays use it as it is).
   */
  openPortSocket(idOrName: string, port: number, signal?: AbortSignal): Promise<WebSocket> {
    const path = routePath('connectPort', { id: idOrName, port: String(port) });
    return openSocket(this.#socketTarget(path), (socket) => socket, signal);
  }

  async connectPort(idOrName: string, port: number, signal?: AbortSignal): Promise<Duplex> {
    const path = routePath('connectPort', { id: idOrName, port: String(port) });
    return openSocket(
      this.#socketTarget(path),
      (socket) => {
        const stream = createWebSocketStream(socket);
        // A refused upgrade rejects the call; the stream nobody received must not throw then.
        stream.on('error', () => {});
        // The socket closed and everything it brought was read: the connection is over both ways.
        stream.once('end', () => {
          if (socket.readyState !== socket.OPEN) stream.destroy();
        });
        return stream;
      },
      signal,
    );
  }

  #socketTarget(path: string): StreamTarget {
    return {
      url: this.#origin + path,
      headers: this.options.token ? { authorization: `Bearer ${this.options.token}` } : {},
      error: (status, code, message, body) => apiErrorOf(status, code, message, body),
    };
  }

  async listWorkers() {
    return (await this.#call<RouteAnswer<'listWorkers', 200>>('listWorkers')).workers;
  }

  getWorker(id: string) {
    return this.#call<RouteAnswer<'getWorker', 200>>('getWorker', { params: { id } });
  }

  getTask(id: string) {
    return this.#call<RouteAnswer<'getTask', 200>>('getTask', { params: { id } });
  }

  /** The caller's tasks (an admin's: every project's), newest first. */
  async listTasks(
    query: {
      status?: OneOrMore<Task['status']>;
      type?: OneOrMore<Task['type']>;
      vm?: string;
      limit?: number;
    } = {},
  ) {
    const res = await this.#call<RouteAnswer<'listTasks', 200>>('listTasks', {
      query: { status: query.status, type: query.type, vm: query.vm, limit: query.limit },
    });
    return res.tasks;
  }

  runJob(idOrName: string, body: RouteBody<'runJob'>, opts: { wait?: boolean } = {}) {
    return this.#call<WriteAnswer<'runJob'>>('runJob', {
      params: { id: idOrName },
      body,
      query: { wait: opts.wait },
    });
  }

  getJob(id: string) {
    return this.#call<RouteAnswer<'getJob', 200>>('getJob', { params: { id } });
  }

  /** The caller's jobs (an admin's: every project's), newest first. */
  async listJobs(query: { vm?: string; status?: OneOrMore<Job['status']>; limit?: number } = {}) {
    const res = await this.#call<RouteAnswer<'listJobs', 200>>('listJobs', {
      query: { vm: query.vm, status: query.status, limit: query.limit },
    });
    return res.jobs;
  }

  /**
   * VMs by status and driver, executions of the last hour per minute with latency percentiles,
   * recent failures, the queue's depth, and (for admins) the workers.
   */
  getOverview() {
    return this.#call<RouteAnswer<'getOverview', 200>>('getOverview');
  }

  /** The task queue's own view: counts and depth by queue name and priority (needs an admin key). */
  getQueue() {
    return this.#call<RouteAnswer<'getQueue', 200>>('getQueue');
  }

  /** Enabled integrations with their health and this gateway's recent webhooks (needs an admin key). */
  async listIntegrations() {
    return (await this.#call<RouteAnswer<'listIntegrations', 200>>('listIntegrations')).integrations;
  }

  /** Searches the logs (newest first unless `order: 'asc'`); see `POST /logs/query`. */
  queryLogs(body: RouteBody<'queryLogs'> = {}) {
    return this.#call<RouteAnswer<'queryLogs', 200>>('queryLogs', { body });
  }

  /** Follows the logs over a WebSocket: the last `backlog` matching lines, then new ones. */
  followLogs(
    filter: Omit<RouteQuery<'streamLogs'>, 'access_token'> = {},
    options: LogTailOptions = {},
  ): AsyncGenerator<Extract<LogStreamMessage, { type: 'line' }>> {
    const url = new URL(this.#origin + routePath('streamLogs', {}));
    for (const [key, value] of Object.entries(filter)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return openLogTail(
      {
        url: url.toString(),
        headers: this.options.token ? { authorization: `Bearer ${this.options.token}` } : {},
        error: (status, code, message, body) => apiErrorOf(status, code, message, body),
      },
      options,
    );
  }

  /**
   * Follows VM, task and worker changes over a WebSocket: `ready` once listening (read lists
   * after it and no change is missed), then each change this key may see; `types` narrows them
   * (`'vm,task'`). See event-stream.ts.
   */
  followEvents(
    filter: Omit<RouteQuery<'streamEvents'>, 'access_token'> = {},
    options: EventFeedOptions = {},
  ): AsyncGenerator<EventFeedMessage> {
    const url = new URL(this.#origin + routePath('streamEvents', {}));
    if (filter.types !== undefined) url.searchParams.set('types', filter.types);
    return openEventFeed(
      {
        url: url.toString(),
        headers: this.options.token ? { authorization: `Bearer ${this.options.token}` } : {},
        error: (status, code, message, body) => apiErrorOf(status, code, message, body),
      },
      options,
    );
  }

  /** Liveness: answers while the gateway serves HTTP. */
  health() {
    return this.#call<RouteAnswer<'getHealth', 200>>('getHealth');
  }

  /**
   * Sends a webhook as GitHub or Slack would: `body` exactly as signed, with its signature headers
   * (for relays and tests; the gateway verifies the signature, not this client's token).
   */
  async sendWebhook(
    integration: string,
    body: string | Uint8Array,
    headers: Record<string, string>,
  ): Promise<RouteAnswer<'receiveWebhook', 200 | 202>> {
    const url = this.#origin + routePath('receiveWebhook', { integration });
    const res = await httpRequest(new URL(url), { method: 'POST', headers, body });
    if (!res.ok) throw await this.#errorFrom(res);
    return (await res.json()) as RouteAnswer<'receiveWebhook', 200 | 202>;
  }

  /** Readiness answers 503 with a body when a component is not ok; both are returned, not thrown. */
  async ready(): Promise<RouteAnswer<'getReady', 200 | 503>> {
    const res = await this.#open('getReady', {});
    if (res.status === 200 || res.status === 503) {
      return (await res.json()) as RouteAnswer<'getReady', 200 | 503>;
    }
    throw await this.#errorFrom(res);
  }

  /** The OpenAPI document this gateway serves. */
  openApiDocument() {
    return this.#call<RouteAnswer<'getOpenApiDocument', 200>>('getOpenApiDocument');
  }

  /** Makes an API key; `secret` in the answer is the key, shown this once. */
  createKey(body: RouteBody<'createKey'>) {
    return this.#call<RouteAnswer<'createKey', 201>>('createKey', { body });
  }

  async listKeys() {
    return (await this.#call<RouteAnswer<'listKeys', 200>>('listKeys')).keys;
  }

  revokeKey(id: string) {
    return this.#call<RouteAnswer<'revokeKey', 200>>('revokeKey', { params: { id } });
  }

  /**
   * Signs a browser in: trades `token` (an API key or a JWT) for a session, whose secret the
   * gateway sets as the HttpOnly `aether_session` cookie. This client keeps no cookies (it sends
   * its own token on every request); the answer says who the session acts as, and until when.
   */
  createSession(token: string) {
    return this.#call<RouteAnswer<'createSession', 201>>('createSession', { body: { token } });
  }

  /** Who this client's credentials act as: project, admin, the key (or JWT subject), expiry. */
  getSession() {
    return this.#call<RouteAnswer<'getSession', 200>>('getSession');
  }

  /** Signs out the session of a cookie; with a bearer token, as this client sends, it ends nothing. */
  async deleteSession(): Promise<void> {
    await this.#call<RouteAnswer<'deleteSession', 200>>('deleteSession');
  }

  /** Subscribes a URL to events; `secret` in the answer signs the deliveries and is shown this once. */
  createWebhook(body: RouteBody<'createWebhook'>) {
    return this.#call<RouteAnswer<'createWebhook', 201>>('createWebhook', { body });
  }

  async listWebhooks() {
    return (await this.#call<RouteAnswer<'listWebhooks', 200>>('listWebhooks')).webhooks;
  }

  deleteWebhook(id: string) {
    return this.#call<RouteAnswer<'deleteWebhook', 200>>('deleteWebhook', { params: { id } });
  }

  /** A webhook's deliveries, newest first. */
  async listWebhookDeliveries(id: string, opts: { limit?: number } = {}) {
    return (
      await this.#call<RouteAnswer<'listWebhookDeliveries', 200>>('listWebhookDeliveries', {
        params: { id },
        query: { limit: opts.limit },
      })
    ).deliveries;
  }

  /** Queues a delivery's event again, as a new delivery. */
  redeliverWebhook(id: string, delivery: string) {
    return this.#call<RouteAnswer<'redeliverWebhook', 202>>('redeliverWebhook', { params: { id, delivery } });
  }

  /** Prometheus metrics of the gateway's node, as text (needs an admin key). */
  async metrics(): Promise<string> {
    const res = await this.#open('getMetrics', {});
    if (!res.ok) throw await this.#errorFrom(res);
    return res.text();
  }

  /** Any request under /api/v1, for what the typed methods do not cover. */
  async request<T>(method: string, path: string, init: { body?: unknown; query?: Query } = {}): Promise<T> {
    const res = await this.#fetch(method, `${API_PREFIX}${path}`, init);
    if (!res.ok) throw await this.#errorFrom(res);
    return (await res.json()) as T;
  }

  /** Calls an operation of the route table and reads its JSON answer; an error answer throws. */
  async #call<T>(operation: OperationId, init: CallInit = {}): Promise<T> {
    const res = await this.#open(operation, init);
    if (!res.ok) throw await this.#errorFrom(res);
    return (await res.json()) as T;
  }

  #open(operation: OperationId, init: CallInit): Promise<HttpAnswer> {
    return this.#fetch(API_ROUTES[operation].method, routePath(operation, init.params ?? {}), init);
  }

  async #fetch(
    method: string,
    path: string,
    init: { body?: unknown; streamed?: StreamedBody; query?: Query; signal?: AbortSignal | undefined },
  ): Promise<HttpAnswer> {
    const signal =
      this.#signal && init.signal
        ? AbortSignal.any([this.#signal, init.signal])
        : (init.signal ?? this.#signal);
    signal?.throwIfAborted();
    const url = new URL(this.#origin + path);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
      else if (value !== undefined && value !== false) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.streamed) headers['content-type'] = init.streamed.contentType;
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    try {
      return await httpRequest(url, {
        method,
        headers,
        body: init.streamed
          ? init.streamed.bytes
          : init.body !== undefined
            ? JSON.stringify(init.body)
            : undefined,
        signal,
      });
    } catch (error) {
      // Our own side of an upload failed (a local file could not be read): that, not the network.
      if (error instanceof RequestBodyError) throw error.cause;
      if (signal?.aborted) throw error;
      // A system error names itself by its code (ECONNREFUSED, ENOTFOUND); others by message.
      const { code, syscall, message } = error as NodeJS.ErrnoException;
      throw apiErrorOf(
        0,
        'ERR_GATEWAY_UNREACHABLE',
        `cannot reach the gateway at ${this.options.baseUrl} (${syscall && code ? code : message}); is \`aether up\` running? Set AETHER_URL to point elsewhere.`,
      );
    }
  }

  async #errorFrom(res: HttpAnswer): Promise<AetherApiError> {
    const text = await res.text();
    try {
      const parsed = JSON.parse(text) as { error?: ApiErrorBody };
      if (parsed.error?.code) return apiErrorOf(res.status, parsed.error.code, parsed.error.message, parsed);
    } catch {
      // Not our JSON: fall through to a generic error.
    }
    return apiErrorOf(res.status, 'ERR_HTTP', `HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
}

/** An operation's path on the gateway, its parameters filled in. */
function routePath(operation: OperationId, params: Readonly<Record<string, string>>): string {
  const route = API_ROUTES[operation];
  return (route.prefixed ? API_PREFIX : '') + fillPath(route.path, params);
}
