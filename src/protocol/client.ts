/**
 * Host side of the agent protocol over any byte stream (Unix socket, vsock, virtio-serial).
 * Many requests share one connection, matched by id. The agent is untrusted: every frame is
 * size-capped and schema-checked, a stream that breaks the contract is dropped, and every
 * request has a deadline so a silent agent cannot hang the host.
 *
 * With `resync: true` (a serial line, which has no connections: what the agent sends may be
 * meant for an earlier host, and the agent may hold half a frame of one), the client first
 * sends a SYNC marker and ignores every byte until the agent echoes it; requests wait for that.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { ExecOutput, ExecRequest, ExecResult } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type {
  FileDownload,
  FsEntry,
  FsListing,
  ReadFileOptions,
  WriteFileOptions,
} from '../core/guest-files.js';
import type { ConnectPortOptions } from '../core/guest-ports.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { DownloadCall } from './download-call.js';
import { checkTerminalSize, ExecCall } from './exec-call.js';
import { type DecodedEvent, encodeFrame, FrameDecoder } from './framing.js';
import {
  type AgentMessage,
  type HostMessage,
  MAX_FRAME_BYTES,
  MAX_PAYLOAD_BYTES,
  UNKNOWN_REQUEST_ID,
  type UsageMessage,
} from './messages.js';
import { PortTunnelCall } from './port-tunnel-call.js';
import { StdinFeed } from './stdin-feed.js';
import { SyncAttempt } from './sync-attempt.js';
import { UploadCall } from './upload-call.js';
import { type MessageError, parseAgentMessage, parseHostMessage } from './validate.js';

export interface AgentClientOptions {
  /**
   * Deadline for one-reply requests (ping, stat, list, ...) and for a transfer's silences (an
   * upload waiting for credit or its answer, a download waiting for data it granted). Default
   * 10 000 ms.
   */
  requestTimeoutMs?: number;
  /** After an exec's timeout or abort, how long the agent has to report the exit. Default 5 000 ms. */
  exitGraceMs?: number;
  maxFrameBytes?: number;
  logger?: Logger;
  /**
   * The stream is a serial line (virtio-serial) rather than a connection: synchronise with a
   * SYNC marker before the first request (see `sync`). Default false (a socket).
   */
  resync?: boolean;
}

export interface PongInfo {
  version: string;
  rttMs: number;
}

/** The guest's clock (epoch ms) just before and just after `setClock` set it. */
export interface ClockInfo {
  beforeMs: number;
  afterMs: number;
}

interface Pending {
  onMessage(message: AgentMessage): void;
  fail(error: unknown): void;
}

export class AgentClient {
  private readonly pending = new Map<string, Pending>();
  private readonly decoder: FrameDecoder;
  private readonly requestTimeoutMs: number;
  private readonly exitGraceMs: number;
  private readonly maxFrameBytes: number;
  private readonly logger: Logger;
  private nextId = 1;
  /** Resync mode: a per-client id prefix, so replies meant for an earlier host on the line never match. */
  private readonly idPrefix: string;
  /** A serial line: stream bytes go as base64 in JSON, as binary frames would break resync. */
  private readonly resync: boolean;
  /** False until the agent echoed our marker (always true on a socket). */
  private synced: boolean;
  private syncAttempt: SyncAttempt | null = null;
  /** Frames of requests made before the sync completed, sent once it does. */
  private queued: { id: string; frame: Buffer }[] = [];
  /** What arrived before the echo and was ignored, for the log. */
  private stale = { frames: 0, bytes: 0 };
  private closeError: AetherError | null = null;
  /** The stream is corked until the end of this turn of the event loop (coalesceWrites). */
  private corked = false;
  private readonly closeListeners = new Set<(error: AetherError) => void>();

  constructor(
    private readonly stream: Duplex,
    options: AgentClientOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.exitGraceMs = options.exitGraceMs ?? 5_000;
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.logger = options.logger ?? silentLogger;
    const resync = options.resync ?? false;
    this.resync = resync;
    this.synced = !resync;
    this.idPrefix = resync ? `${randomBytes(4).toString('hex')}-` : '';
    this.decoder = new FrameDecoder({ maxFrameBytes: this.maxFrameBytes, resync });
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (error) =>
      this.shutdown(new AetherError('ERR_AGENT_UNREACHABLE', error.message, { cause: error })),
    );
    stream.on('close', () =>
      this.shutdown(new AetherError('ERR_AGENT_UNREACHABLE', 'connection to agent closed')),
    );
  }

  /** True once the connection is gone; every later request fails with ERR_AGENT_UNREACHABLE. */
  get closed(): boolean {
    return this.closeError !== null;
  }

  /** Called once when the connection ends, for whatever reason. */
  onClose(listener: (error: AetherError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * Resync mode: sends a SYNC marker with a random nonce, again every 200 ms, until the agent
   * echoes it; everything the agent sent before the echo is discarded. Requests made meanwhile
   * wait and go out after the echo; the first request starts a sync if none is running. Rejects
   * with ERR_AGENT_UNREACHABLE after `timeoutMs` (and fails the waiting requests); it may be
   * called again. A call while a sync is running joins it (and its deadline). On a socket, and
   * once synchronised, it resolves at once.
   */
  sync(timeoutMs = this.requestTimeoutMs): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.closeError) return Promise.reject(this.closeError);
    if (this.syncAttempt) return this.syncAttempt.promise;
    const attempt = new SyncAttempt(
      (bytes) => this.writeRaw(bytes),
      timeoutMs,
      (error) => {
        this.syncAttempt = null;
        const waiting = this.queued;
        this.queued = [];
        if (error) {
          for (const { id } of waiting) this.pending.get(id)?.fail(error);
          return;
        }
        this.synced = true;
        this.logger.debug(
          { staleFrames: this.stale.frames, staleBytes: this.stale.bytes },
          'agent echoed the sync marker; earlier output ignored',
        );
        for (const { frame } of waiting) this.writeRaw(frame);
      },
    );
    this.syncAttempt = attempt;
    return attempt.promise;
  }

  /**
   * Sets the guest's clock to `epochMs` (default: the host's now). Rejects with ERR_UNSUPPORTED
   * when the agent may not (it is not root).
   */
  setClock(epochMs: number = Date.now()): Promise<ClockInfo> {
    return this.simple({ type: 'clock', id: this.newId(), epochMs }, this.requestTimeoutMs, (reply) => {
      if (reply.type !== 'ok' || reply.beforeMs === undefined || reply.afterMs === undefined) {
        return undefined;
      }
      return { beforeMs: reply.beforeMs, afterMs: reply.afterMs };
    });
  }

  /** The guest's own usage figures (see UsageMessage); telling only for a guest with its own kernel. */
  usage(timeoutMs = this.requestTimeoutMs): Promise<Omit<UsageMessage, 'type' | 'id'>> {
    return this.simple({ type: 'usage', id: this.newId() }, timeoutMs, (reply) => {
      if (reply.type !== 'usage') return undefined;
      const { type: _type, id: _id, ...figures } = reply;
      return figures;
    });
  }

  ping(timeoutMs = this.requestTimeoutMs): Promise<PongInfo> {
    const started = performance.now();
    return this.simple({ type: 'ping', id: this.newId() }, timeoutMs, (reply) => {
      if (reply.type !== 'pong') return undefined;
      return { version: reply.version, rttMs: performance.now() - started };
    });
  }

  /**
   * Streams `source` into the guest file `path` (see GuestFiles.writeFile): resolves with the
   * size once the agent has renamed the finished file over the target. On abort, or when the
   * source throws, the agent removes what was written and the call rejects (with the signal's
   * reason; with ERR_TRANSFER_ABORTED for a source error that is not an AetherError).
   */
  writeFile(
    path: string,
    source: AsyncIterable<Uint8Array>,
    options: WriteFileOptions = {},
  ): Promise<{ size: number }> {
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(signal.reason);
      const message: HostMessage = { type: 'write', id: this.newId(), path };
      if (options.mode !== undefined) message.mode = options.mode;
      if (options.mtimeMs !== undefined) message.mtimeMs = options.mtimeMs;
      const invalid = checkOutgoing(message);
      if (invalid) return reject(invalid);
      const id = message.id;
      const call = new UploadCall({
        id,
        path,
        source,
        signal,
        stallTimeoutMs: this.requestTimeoutMs,
        post: (m) => this.post(m),
        done: () => this.pending.delete(id),
        resolve,
        reject,
      });
      this.pending.set(id, call);
      this.send(message, id);
      if (this.pending.has(id)) call.start();
    });
  }

  /**
   * Opens the guest file `path` for reading: resolves at the agent's `entry`, with a body that
   * pulls the bytes as it is read (destroying it cancels the transfer).
   */
  readFile(path: string, options: ReadFileOptions = {}): Promise<FileDownload> {
    return new Promise((resolve, reject) => {
      const message: HostMessage = { type: 'read', id: this.newId(), path };
      const invalid = checkOutgoing(message);
      if (invalid) return reject(invalid);
      const id = message.id;
      const call = new DownloadCall({
        id,
        path,
        signal: options.signal,
        stallTimeoutMs: this.requestTimeoutMs,
        post: (m) => this.post(m),
        done: () => this.pending.delete(id),
        resolve,
        reject,
      });
      this.pending.set(id, call);
      call.start();
      if (this.pending.has(id)) this.send(message, id);
    });
  }

  /** lstat: a symlink is reported as itself. */
  stat(path: string): Promise<FsEntry> {
    return this.simple({ type: 'stat', id: this.newId(), path }, this.requestTimeoutMs, (reply) =>
      reply.type === 'entry' ? reply.entry : undefined,
    );
  }

  list(path: string, options: { recursive?: boolean } = {}): Promise<FsListing> {
    const message: HostMessage = { type: 'list', id: this.newId(), path };
    if (options.recursive !== undefined) message.recursive = options.recursive;
    return this.simple(message, this.requestTimeoutMs, (reply) =>
      reply.type === 'entries' ? { entries: reply.entries, truncated: reply.truncated } : undefined,
    );
  }

  async mkdir(path: string, options: { parents?: boolean; mode?: number } = {}): Promise<void> {
    const message: HostMessage = { type: 'mkdir', id: this.newId(), path };
    if (options.parents !== undefined) message.parents = options.parents;
    if (options.mode !== undefined) message.mode = options.mode;
    await this.simple(message, this.requestTimeoutMs, okReply);
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const message: HostMessage = { type: 'remove', id: this.newId(), path };
    if (options.recursive !== undefined) message.recursive = options.recursive;
    await this.simple(message, this.requestTimeoutMs, okReply);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.simple({ type: 'rename', id: this.newId(), from, to }, this.requestTimeoutMs, okReply);
  }

  async chmod(path: string, mode: number): Promise<void> {
    await this.simple({ type: 'chmod', id: this.newId(), path, mode }, this.requestTimeoutMs, okReply);
  }

  async symlink(path: string, target: string): Promise<void> {
    await this.simple({ type: 'symlink', id: this.newId(), path, target }, this.requestTimeoutMs, okReply);
  }

  /**
   * Runs a command and resolves with its exit once the agent reports it. Rejects with
   * ERR_EXEC_SPAWN_FAILED when it could not start. On abort the agent kills the process tree
   * and the promise rejects with `signal.reason` once the exit is confirmed (or the grace ends).
   * Stdin given as bytes goes in the request (at most MAX_PAYLOAD_BYTES); given as an iterable,
   * it is streamed with flow control. `output.onStarted` is called once the command runs.
   * With `tty`, stdin must be a stream (none is an empty one) and stdout is flow-controlled by
   * `onStdout`'s promises; `onStarted` gets `resize`.
   */
  exec(request: ExecRequest, output: ExecOutput = {}, signal?: AbortSignal): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const { stdin: input, tty } = request;
      const oneShot = input instanceof Uint8Array ? input : undefined;
      const streamed = input instanceof Uint8Array ? undefined : (input ?? (tty ? noInput() : undefined));
      if (oneShot && oneShot.length > MAX_PAYLOAD_BYTES) {
        return reject(new AetherError('ERR_BODY_TOO_LARGE', `stdin exceeds ${MAX_PAYLOAD_BYTES} bytes`));
      }
      if (tty) {
        if (oneShot) {
          return reject(new AetherError('ERR_VALIDATION', 'a terminal exec takes its stdin as a stream'));
        }
        try {
          checkTerminalSize(tty);
        } catch (error) {
          return reject(error);
        }
      }
      const id = this.newId();
      const message: HostMessage = {
        type: 'exec',
        id,
        argv: [...request.argv],
        timeoutMs: request.timeoutMs,
      };
      if (request.env) message.env = { ...request.env };
      if (request.cwd !== undefined) message.cwd = request.cwd;
      if (oneShot) message.stdin = Buffer.from(oneShot).toString('base64');
      if (streamed) message.stdinStream = true;
      if (tty) message.tty = { cols: tty.cols, rows: tty.rows };
      const invalid = checkOutgoing(message);
      if (invalid) return reject(invalid);

      const stdin = streamed ? new StdinFeed(id, (m) => this.post(m), this.logger) : null;
      const call = new ExecCall({
        timeoutMs: request.timeoutMs,
        output,
        signal,
        exitGraceMs: this.exitGraceMs,
        sendSignal: (sig) => this.post({ type: 'signal', id, signal: sig }),
        stdin,
        terminal: tty
          ? {
              grant: (bytes) => this.post({ type: 'credit', id, bytes }),
              resize: (size) => this.post({ type: 'resize', id, cols: size.cols, rows: size.rows }),
            }
          : null,
        done: () => this.pending.delete(id),
        resolve,
        reject,
      });
      this.pending.set(id, call);
      call.start();
      this.send(message, id);
      if (streamed && this.pending.has(id)) stdin?.start(streamed);
    });
  }

  /**
   * Opens a TCP connection to `port` on the guest's loopback, carried by the agent (see
   * GuestPorts.connect for the stream's rules). Rejects with ERR_PORT_UNREACHABLE when nothing
   * accepts there, ERR_AGENT_UNREACHABLE when the agent does not answer within the request
   * timeout; once open, this connection closing destroys the stream with its error.
   */
  connectPort(port: number, options: ConnectPortOptions = {}): Promise<Duplex> {
    return new Promise<Duplex>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(signal.reason);
      const message: HostMessage = { type: 'connect', id: this.newId(), port };
      const invalid = checkOutgoing(message);
      if (invalid) return reject(invalid);
      const id = message.id;
      const call = new PortTunnelCall({
        id,
        port,
        signal,
        connectTimeoutMs: this.requestTimeoutMs,
        post: (m) => this.post(m),
        done: () => this.pending.delete(id),
        resolve,
        reject,
      });
      this.pending.set(id, call);
      call.start();
      if (this.pending.has(id)) this.send(message, id);
    });
  }

  /** Ends the connection; pending requests fail with ERR_AGENT_UNREACHABLE. The VM is untouched. */
  close(): Promise<void> {
    if (this.stream.destroyed) {
      this.shutdown(new AetherError('ERR_AGENT_UNREACHABLE', 'client closed'));
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.stream.once('close', () => resolve());
      this.shutdown(new AetherError('ERR_AGENT_UNREACHABLE', 'client closed'));
    });
  }

  private newId(): string {
    return this.idPrefix + (this.nextId++).toString(36);
  }

  /** A one-reply request: `accept` maps the reply to a result, or undefined when it is the wrong kind. */
  private simple<T>(
    message: HostMessage,
    timeoutMs: number,
    accept: (reply: AgentMessage) => T | undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const invalid = checkOutgoing(message);
      if (invalid) return reject(invalid);
      const id = message.id;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new AetherError(
            'ERR_AGENT_UNREACHABLE',
            `agent did not answer "${message.type}" within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const done = (error: unknown, value?: T) => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (error === undefined) resolve(value as T);
        else reject(error);
      };
      this.pending.set(id, {
        fail: done,
        onMessage: (reply) => {
          if (reply.type === 'error') return done(new AetherError(reply.code, reply.message));
          const value = accept(reply);
          if (value === undefined) {
            return done(
              new AetherError('ERR_AGENT_PROTOCOL', `unexpected "${reply.type}" reply to ${message.type}`),
            );
          }
          done(undefined, value);
        },
      });
      this.send(message, id);
    });
  }

  private send(message: HostMessage, id: string): void {
    if (this.closeError) {
      this.pending.get(id)?.fail(this.closeError);
      return;
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(message, this.maxFrameBytes, { binaryData: !this.resync });
    } catch (error) {
      this.pending.get(id)?.fail(error);
      return;
    }
    if (this.synced) {
      this.writeRaw(frame);
      return;
    }
    this.queued.push({ id, frame });
    this.sync().catch(() => {}); // a failed sync fails the queued requests itself
  }

  /**
   * A frame within a running request (a signal, stream data, credit, a cancel), in order after
   * the request itself. Best effort: if the connection is gone, the request fails on its own.
   */
  private post(message: HostMessage): void {
    if (this.closeError) return;
    const frame = encodeFrame(message, this.maxFrameBytes, { binaryData: !this.resync });
    if (this.synced) this.writeRaw(frame);
    else this.queued.push({ id: message.id, frame });
  }

  private writeRaw(bytes: Buffer): void {
    if (this.closeError) return;
    try {
      this.coalesceWrites();
      this.stream.write(bytes);
    } catch {
      // The stream failed; shutdown() reports it to every pending request.
    }
  }

  /**
   * Frames written in one turn of the event loop leave in one system call: with many streams on
   * one connection (tunnels, terminals, transfers), a write per frame was most of the host's CPU.
   * The socket is corked until the loop's check phase, right after this turn's I/O.
   */
  private coalesceWrites(): void {
    if (this.corked) return;
    this.corked = true;
    this.stream.cork();
    setImmediate(() => {
      this.corked = false;
      this.stream.uncork();
    });
  }

  private onData(chunk: Buffer): void {
    let events: DecodedEvent[];
    try {
      events = this.decoder.push(chunk);
    } catch (error) {
      this.violation(error as AetherError);
      return;
    }
    for (const event of events) {
      if (event.kind === 'sync') {
        // When not ours: a late echo of our own resent marker, or one meant for an earlier host.
        this.syncAttempt?.echo(event.nonce);
        continue;
      }
      // Before our marker comes back, everything is stale: replies to an earlier host, or the
      // rest of a frame cut short.
      if (!this.synced) {
        if (event.kind === 'discarded') this.stale.bytes += event.bytes;
        else this.stale.frames++;
        continue;
      }
      if (event.kind === 'discarded') {
        this.violation(
          new AetherError('ERR_AGENT_PROTOCOL', `agent sent ${event.bytes} stray bytes (${event.message})`),
        );
        return;
      }
      if (event.kind === 'invalid') {
        this.violation(new AetherError('ERR_AGENT_PROTOCOL', event.error));
        return;
      }
      let message: AgentMessage;
      try {
        message = parseAgentMessage(event.value);
      } catch (error) {
        this.violation(error as MessageError);
        return;
      }
      const pending = this.pending.get(message.id);
      if (pending) {
        pending.onMessage(message);
      } else if (message.id === UNKNOWN_REQUEST_ID && message.type === 'error') {
        this.logger.warn({ code: message.code, reason: message.message }, 'agent rejected a frame');
      }
      // Other unknown ids are late replies to requests that already timed out: ignored.
    }
  }

  private violation(error: AetherError): void {
    this.logger.warn({ err: error.message }, 'agent broke the protocol; dropping the connection');
    this.shutdown(error);
  }

  private shutdown(error: AetherError): void {
    if (this.closeError) return;
    this.closeError = error;
    this.stream.destroy();
    this.syncAttempt?.fail(error);
    this.queued = [];
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const request of pending) request.fail(error);
    for (const listener of this.closeListeners) listener(error);
  }
}

const okReply = (reply: AgentMessage): true | undefined => (reply.type === 'ok' ? true : undefined);

/** The stdin of a terminal exec given none: it ends at once (the terminal reads EOF). */
async function* noInput(): AsyncGenerator<Uint8Array> {}

/**
 * Runs the agent's own schema check on what we are about to send, so a bad request (empty argv,
 * timeout out of range, NUL in a path) is the caller's ERR_VALIDATION, not an agent protocol error.
 */
function checkOutgoing(message: HostMessage): AetherError | null {
  try {
    parseHostMessage(message);
    return null;
  } catch (error) {
    return new AetherError('ERR_VALIDATION', (error as Error).message);
  }
}
