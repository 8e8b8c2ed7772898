/**
 * One host channel: decodes frames, dispatches requests, and never lets bad input crash the
 * agent — every malformed frame is answered with an `error` (ERR_AGENT_PROTOCOL).
 *
 * The channel is a socket connection (strict framing; a framing error ends it) or, with
 * `resync`, a serial line that outlives any one host: garbage is answered with an error and
 * skipped up to the next SYNC marker, and a marker is echoed so the host knows which bytes are
 * fresh. A marker resets only the framing; commands started by an earlier host keep running and
 * report to whoever is on the line (a new host ignores ids it did not issue).
 */
import type { Duplex, Readable } from 'node:stream';
import { type DecodedEvent, encodeFrame, encodeSync, FrameDecoder } from '../protocol/framing.js';
import {
  AGENT_VERSION,
  type AgentMessage,
  type HostMessage,
  MAX_ERROR_MESSAGE_LENGTH,
  UNKNOWN_REQUEST_ID,
} from '../protocol/messages.js';
import { MessageError, parseHostMessage } from '../protocol/validate.js';
import { setClock } from './clock.js';
import { RunningExec } from './exec.js';
import { FileOpError, getFile, putFile } from './files.js';

export interface SessionOptions {
  home: string;
  baseEnv: Readonly<Record<string, string>>;
  log(message: string): void;
  /** The channel is a serial line: recover from garbage at SYNC markers instead of hanging up. */
  resync?: boolean;
}

export class Session {
  private readonly decoder: FrameDecoder;
  private readonly execs = new Map<string, RunningExec>();
  /** Output streams of running commands, paused together while the socket is backed up. */
  private readonly streams = new Set<Readable>();
  private throttled = false;

  constructor(
    private readonly socket: Duplex,
    private readonly options: SessionOptions,
  ) {
    this.decoder = new FrameDecoder({ resync: options.resync ?? false });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.setThrottled(false));
    socket.on('error', (error) => options.log(`connection error: ${error.message}`));
    socket.on('close', () => this.abandonAll());
  }

  /** Kills every command this connection started (the host can no longer observe them). */
  abandonAll(): void {
    for (const exec of this.execs.values()) exec.abandon();
    this.execs.clear();
    this.streams.clear();
  }

  private onData(chunk: Buffer): void {
    let events: DecodedEvent[];
    try {
      events = this.decoder.push(chunk);
    } catch (error) {
      // Oversized or empty frame: we can no longer find frame boundaries, so say why and hang up.
      this.reject(UNKNOWN_REQUEST_ID, (error as Error).message);
      this.socket.end();
      return;
    }
    for (const event of events) {
      if (event.kind === 'sync') {
        // Everything we write from here on follows the echo, so the host knows it is fresh.
        this.options.log('host synchronised the serial line');
        this.write(encodeSync(event.nonce));
        continue;
      }
      if (event.kind === 'discarded') {
        this.reject(
          UNKNOWN_REQUEST_ID,
          `discarded ${event.bytes} bytes (${event.message}); waiting for a sync marker`,
        );
        continue;
      }
      if (event.kind === 'invalid') {
        this.reject(UNKNOWN_REQUEST_ID, event.error);
        continue;
      }
      let message: HostMessage;
      try {
        message = parseHostMessage(event.value);
      } catch (error) {
        const id =
          error instanceof MessageError ? (error.requestId ?? UNKNOWN_REQUEST_ID) : UNKNOWN_REQUEST_ID;
        this.reject(id, (error as Error).message);
        continue;
      }
      this.dispatch(message);
    }
  }

  private dispatch(message: HostMessage): void {
    switch (message.type) {
      case 'ping':
        this.send({ type: 'pong', id: message.id, version: AGENT_VERSION });
        return;
      case 'signal':
        this.execs.get(message.id)?.signal(message.signal);
        return;
      case 'exec': {
        if (this.execs.has(message.id)) {
          this.reject(message.id, `exec id "${message.id}" is already running`);
          return;
        }
        const exec = new RunningExec(
          message,
          {
            home: this.options.home,
            baseEnv: this.options.baseEnv,
            send: (m) => this.send(m),
            track: (s) => this.track(s),
            untrack: (s) => this.streams.delete(s),
          },
          () => this.execs.delete(message.id),
        );
        this.execs.set(message.id, exec);
        exec.start().catch((error: Error) => this.internal(message.id, error));
        return;
      }
      case 'put':
        putFile(this.options.home, message.path, message.data, message.mode).then(
          () => this.send({ type: 'ok', id: message.id }),
          (error: Error) => this.fileError(message.id, error),
        );
        return;
      case 'get':
        getFile(this.options.home, message.path).then(
          (data) => this.send({ type: 'file', id: message.id, data }),
          (error: Error) => this.fileError(message.id, error),
        );
        return;
      case 'clock':
        setClock(message.epochMs, this.options.baseEnv).then(
          (result) =>
            this.send(
              result.ok
                ? { type: 'ok', id: message.id, beforeMs: result.beforeMs, afterMs: result.afterMs }
                : { type: 'error', id: message.id, code: 'ERR_UNSUPPORTED', message: result.message },
            ),
          (error: Error) => this.internal(message.id, error),
        );
        return;
    }
  }

  private fileError(id: string, error: Error): void {
    if (error instanceof FileOpError)
      this.send({ type: 'error', id, code: error.code, message: error.message });
    else this.internal(id, error);
  }

  private internal(id: string, error: Error): void {
    this.options.log(`request ${id} failed: ${error.stack ?? error.message}`);
    this.send({
      type: 'error',
      id,
      code: 'ERR_INTERNAL',
      message: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
    });
  }

  private reject(id: string, reason: string): void {
    this.send({
      type: 'error',
      id,
      code: 'ERR_AGENT_PROTOCOL',
      message: reason.slice(0, MAX_ERROR_MESSAGE_LENGTH),
    });
  }

  private send(message: AgentMessage): void {
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
    } catch (error) {
      this.options.log(`dropping unencodable ${message.type}: ${(error as Error).message}`);
      return;
    }
    this.write(frame);
  }

  private write(bytes: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    if (!this.socket.write(bytes)) this.setThrottled(true);
  }

  private track(stream: Readable): void {
    this.streams.add(stream);
    if (this.throttled) stream.pause();
  }

  /** Backpressure: a slow host pauses command output instead of growing the agent's memory. */
  private setThrottled(throttled: boolean): void {
    if (this.throttled === throttled) return;
    this.throttled = throttled;
    for (const stream of this.streams) {
      if (throttled) stream.pause();
      else stream.resume();
    }
  }
}
