/**
 * Host side of the agent protocol over any byte stream (Unix socket, vsock, virtio-serial).
 * Many requests share one connection, matched by id. The agent is untrusted: every frame is
 * size-capped and schema-checked, a stream that breaks the contract is dropped, and every
 * request has a deadline so a silent agent cannot hang the host.
 */
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { ExecOutput, ExecRequest, ExecResult } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { ExecCall } from './exec-call.js';
import { encodeFrame, FrameDecoder } from './framing.js';
import {
  type AgentMessage,
  type AgentSignal,
  type HostMessage,
  MAX_FRAME_BYTES,
  MAX_PAYLOAD_BYTES,
  UNKNOWN_REQUEST_ID,
} from './messages.js';
import { type MessageError, parseAgentMessage, parseHostMessage } from './validate.js';

export interface AgentClientOptions {
  /** Deadline for ping, put and get replies. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** After an exec's timeout or abort, how long the agent has to report the exit. Default 5 000 ms. */
  exitGraceMs?: number;
  maxFrameBytes?: number;
  logger?: Logger;
}

export interface PongInfo {
  version: string;
  rttMs: number;
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
  private closeError: AetherError | null = null;
  private readonly closeListeners = new Set<(error: AetherError) => void>();

  constructor(
    private readonly stream: Duplex,
    options: AgentClientOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.exitGraceMs = options.exitGraceMs ?? 5_000;
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.logger = options.logger ?? silentLogger;
    this.decoder = new FrameDecoder(this.maxFrameBytes);
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

  ping(timeoutMs = this.requestTimeoutMs): Promise<PongInfo> {
    const started = performance.now();
    return this.simple({ type: 'ping', id: this.newId() }, timeoutMs, (reply) => {
      if (reply.type !== 'pong') return undefined;
      return { version: reply.version, rttMs: performance.now() - started };
    });
  }

  async putFile(path: string, data: Uint8Array, mode?: number): Promise<void> {
    if (data.length > MAX_PAYLOAD_BYTES) {
      throw new AetherError(
        'ERR_BODY_TOO_LARGE',
        `file of ${data.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`,
      );
    }
    const message: HostMessage = {
      type: 'put',
      id: this.newId(),
      path,
      data: Buffer.from(data).toString('base64'),
    };
    if (mode !== undefined) message.mode = mode;
    await this.simple(message, this.requestTimeoutMs, (reply) => (reply.type === 'ok' ? true : undefined));
  }

  getFile(path: string): Promise<Uint8Array> {
    return this.simple({ type: 'get', id: this.newId(), path }, this.requestTimeoutMs, (reply) =>
      reply.type === 'file' ? new Uint8Array(Buffer.from(reply.data, 'base64')) : undefined,
    );
  }

  /**
   * Runs a command and resolves with its exit once the agent reports it. Rejects with
   * ERR_EXEC_SPAWN_FAILED when it could not start. On abort the agent kills the process tree
   * and the promise rejects with `signal.reason` once the exit is confirmed (or the grace ends).
   */
  exec(request: ExecRequest, output: ExecOutput = {}, signal?: AbortSignal): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (request.stdin && request.stdin.length > MAX_PAYLOAD_BYTES) {
        return reject(new AetherError('ERR_BODY_TOO_LARGE', `stdin exceeds ${MAX_PAYLOAD_BYTES} bytes`));
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
      if (request.stdin) message.stdin = Buffer.from(request.stdin).toString('base64');
      const invalid = checkOutgoing(message);
      if (invalid) return reject(invalid);

      const call = new ExecCall({
        timeoutMs: request.timeoutMs,
        output,
        signal,
        exitGraceMs: this.exitGraceMs,
        sendSignal: (sig) => this.sendSignal(id, sig),
        done: () => this.pending.delete(id),
        resolve,
        reject,
      });
      this.pending.set(id, call);
      call.start();
      this.send(message, id);
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
    return (this.nextId++).toString(36);
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
    try {
      this.stream.write(encodeFrame(message, this.maxFrameBytes));
    } catch (error) {
      this.pending.get(id)?.fail(error);
    }
  }

  /** Best effort: if the connection is gone, so is any way to reach the process. */
  private sendSignal(id: string, signal: AgentSignal): void {
    if (this.closeError) return;
    try {
      this.stream.write(encodeFrame({ type: 'signal', id, signal }));
    } catch {
      // The stream failed; shutdown() reports it to every pending request.
    }
  }

  private onData(chunk: Buffer): void {
    let frames: ReturnType<FrameDecoder['push']>;
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.violation(error as AetherError);
      return;
    }
    for (const frame of frames) {
      if (!frame.ok) {
        this.violation(new AetherError('ERR_AGENT_PROTOCOL', frame.error));
        return;
      }
      let message: AgentMessage;
      try {
        message = parseAgentMessage(frame.value);
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
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const request of pending) request.fail(error);
    for (const listener of this.closeListeners) listener(error);
  }
}

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
