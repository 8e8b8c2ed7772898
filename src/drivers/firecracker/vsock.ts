/**
 * The host side of Firecracker's hybrid vsock: Firecracker exposes the guest's virtio-vsock
 * device as a Unix socket (`uds_path`); a host connection writes `CONNECT <port>\n` and, when a
 * guest process listens on that vsock port, reads `OK <host port>\n`, after which the connection
 * is a plain byte stream to the guest. When nothing listens yet (the guest is still booting) the
 * guest answers with a reset and Firecracker closes the connection without a word; before
 * `PUT /vsock` the socket does not exist. Both are retried, every attempt and the whole wait
 * bounded, as Firecracker's own SDK dialer does (100 ms between attempts, 1 s for the answer).
 */
import type { Socket } from 'node:net';
import { AetherError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { AgentClient } from '../../protocol/client.js';
import { connectUnixNoFollow } from './unix-socket.js';

/** The guest port the agent listens on (`aether.agent=vsock:9999` on the kernel command line). */
export const AGENT_VSOCK_PORT = 9999;
/** Firecracker reads the CONNECT line through a 32-byte buffer; its answer is as short. */
const MAX_ANSWER_BYTES = 32;

export interface VsockDialOptions {
  /** The VM's vsock Unix socket (`uds_path`, as seen from the host). */
  udsPath: string;
  port: number;
  /** The whole wait, all attempts together. */
  timeoutMs: number;
  /** Per attempt: connect, then the OK line. Default 1 000 ms. */
  attemptTimeoutMs?: number;
  /** Pause between attempts. Default 100 ms. */
  retryIntervalMs?: number;
  signal?: AbortSignal;
}

export interface VsockConnection {
  /**
   * The byte stream to the guest, paused, with any bytes that came after the OK line put back
   * into it: attach a reader, then `resume()`.
   */
  socket: Socket;
  /** The host-side port Firecracker allocated (from 2^30 up). */
  hostPort: number;
  attempts: number;
}

/** Why one attempt failed; every kind is retried until the deadline. */
class AttemptError extends Error {}

function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 0xffff_ffff) {
    throw new AetherError(
      'ERR_VALIDATION',
      `vsock port must be an integer in 1..${0xffff_ffff}, got ${port}`,
    );
  }
}

/** One attempt: connect, send the CONNECT line in one write, read exactly up to `\n`. */
async function attempt(udsPath: string, port: number, timeoutMs: number): Promise<VsockConnection> {
  const deadline = Date.now() + timeoutMs;
  let socket: Socket;
  try {
    socket = await connectUnixNoFollow(udsPath, timeoutMs);
  } catch (error) {
    throw new AttemptError(`connect ${(error as Error).message}`);
  }
  return new Promise<VsockConnection>((resolve, reject) => {
    let answer = Buffer.alloc(0);
    const finish = (error: Error | null, hostPort = 0, rest?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      if (error) {
        socket.destroy();
        reject(error);
        return;
      }
      socket.pause();
      if (rest && rest.length > 0) socket.unshift(rest);
      resolve({ socket, hostPort, attempts: 1 });
    };
    const onData = (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      const newline = answer.indexOf(0x0a);
      if (newline === -1) {
        if (answer.length > MAX_ANSWER_BYTES) finish(new AttemptError('answer too long, no newline'));
        return;
      }
      const line = answer.subarray(0, newline).toString('latin1');
      const ok = /^OK (\d+)$/.exec(line);
      if (!ok) {
        finish(new AttemptError(`unexpected answer ${JSON.stringify(line.slice(0, MAX_ANSWER_BYTES))}`));
        return;
      }
      finish(null, Number(ok[1]), answer.subarray(newline + 1));
    };
    // The guest refused (nothing listens on the port yet): Firecracker closed the connection.
    const onEnd = () =>
      finish(new AttemptError('closed without an answer (nothing listens on the port yet)'));
    const onError = (error: Error) => finish(new AttemptError(error.message));
    const timer = setTimeout(
      () => finish(new AttemptError(`no answer within ${timeoutMs} ms`)),
      Math.max(1, deadline - Date.now()),
    );
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.write(`CONNECT ${port}\n`);
  });
}

/**
 * Connects to guest vsock `port` through the VM's hybrid-vsock socket, retrying until
 * `timeoutMs`; rejects with ERR_AGENT_UNREACHABLE naming the last failure.
 */
export async function dialVsock(options: VsockDialOptions): Promise<VsockConnection> {
  assertPort(options.port);
  const attemptMs = options.attemptTimeoutMs ?? 1_000;
  const intervalMs = options.retryIntervalMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  let attempts = 0;
  let last = 'no attempt made';
  for (;;) {
    options.signal?.throwIfAborted();
    attempts++;
    try {
      const connection = await attempt(
        options.udsPath,
        options.port,
        Math.max(1, Math.min(attemptMs, deadline - Date.now())),
      );
      return { ...connection, attempts };
    } catch (error) {
      if (!(error instanceof AttemptError)) throw error;
      last = error.message;
    }
    if (Date.now() + intervalMs >= deadline) {
      throw new AetherError(
        'ERR_AGENT_UNREACHABLE',
        `vsock port ${options.port} via ${options.udsPath}: no connection after ${attempts} attempts in ${options.timeoutMs} ms (last: ${last})`,
        { details: { udsPath: options.udsPath, port: options.port, attempts } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface VsockAgentOptions extends VsockDialOptions {
  logger?: Logger;
}

/**
 * An AgentClient over vsock, once the agent answers a ping: a listener on the port is not yet an
 * agent that serves (a relay in the guest may accept before the agent behind it is up), so a
 * failed ping counts as one more failed attempt within the same deadline.
 */
export async function connectVsockAgent(options: VsockAgentOptions): Promise<AgentClient> {
  const deadline = Date.now() + options.timeoutMs;
  const logger = options.logger ?? silentLogger;
  const pingMs = options.attemptTimeoutMs ?? 1_000;
  let last: unknown = null;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new AetherError(
        'ERR_AGENT_UNREACHABLE',
        `agent on vsock port ${options.port} did not answer within ${options.timeoutMs} ms: ${(last as Error | null)?.message ?? 'no answer'}`,
        { cause: last, details: { udsPath: options.udsPath, port: options.port } },
      );
    }
    const { socket } = await dialVsock({ ...options, timeoutMs: left });
    const agent = new AgentClient(socket, { logger });
    socket.resume();
    try {
      await agent.ping(Math.max(1, Math.min(pingMs, deadline - Date.now())));
      return agent;
    } catch (error) {
      last = error;
      await agent.close();
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, options.retryIntervalMs ?? 100));
    }
  }
}
