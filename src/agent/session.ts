/**
 * One host channel: decodes frames, dispatches requests, and never lets bad input crash the
 * agent — every malformed frame is answered with an `error` (ERR_AGENT_PROTOCOL).
 *
 * The channel is a socket connection (strict framing; a framing error ends it) or, with
 * `resync`, a serial line that outlives any one host: garbage is answered with an error and
 * skipped up to the next SYNC marker, and a marker is echoed so the host knows which bytes are
 * fresh. A marker resets the framing and abandons the file transfers and port tunnels of the
 * earlier host (an upload's temporary file is removed, a tunnel's socket closed); commands started
 * by an earlier host keep running and report to whoever is on the line (a new host ignores ids it
 * did not issue).
 */
import type { Duplex } from 'node:stream';
import { type DecodedEvent, encodeFrame, encodeSync, FrameDecoder } from '../protocol/framing.js';
import {
  AGENT_VERSION,
  type AgentMessage,
  type ConnectMessage,
  type ExecMessage,
  type HostMessage,
  MAX_ERROR_MESSAGE_LENGTH,
  type ReadMessage,
  UNKNOWN_REQUEST_ID,
  type WriteMessage,
} from '../protocol/messages.js';
import { MessageError, parseHostMessage } from '../protocol/validate.js';
import { setClock } from './clock.js';
import { Download } from './download.js';
import { RunningExec } from './exec.js';
import { FileOpError } from './fs-errors.js';
import { listDirectory } from './fs-list.js';
import { changeMode, makeDirectory, makeSymlink, removePath, renamePath, statPath } from './fs-ops.js';
import { guestUsage } from './guest-usage.js';
import { PortTunnel } from './port-tunnel.js';
import { Upload } from './upload.js';

export interface SessionOptions {
  home: string;
  baseEnv: Readonly<Record<string, string>>;
  log(message: string): void;
  /** The channel is a serial line: recover from garbage at SYNC markers instead of hanging up. */
  resync?: boolean;
}

/** What the session pauses while the socket is backed up: command output, downloads, tunnels. */
interface Producer {
  pause(): unknown;
  resume(): unknown;
}

const okFor = (_: unknown, id: string): AgentMessage => ({ type: 'ok', id });

export class Session {
  private readonly decoder: FrameDecoder;
  private readonly execs = new Map<string, RunningExec>();
  private readonly uploads = new Map<string, Upload>();
  private readonly downloads = new Map<string, Download>();
  private readonly tunnels = new Map<string, PortTunnel>();
  /** Producers of output to the host, paused together while the socket is backed up. */
  private readonly streams = new Set<Producer>();
  private throttled = false;
  /** The socket is corked until the end of this turn of the event loop. */
  private corked = false;

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

  /**
   * Kills every command this connection started (the host can no longer observe them) and
   * abandons its transfers (an unfinished upload's temporary file is removed) and tunnels.
   */
  abandonAll(): void {
    for (const exec of this.execs.values()) exec.abandon();
    this.execs.clear();
    this.abandonTransfers();
    this.streams.clear();
  }

  /**
   * Transfers and tunnels belong to the host that started them; a host that synchronises a serial
   * line is a new one (each client syncs once), which cannot carry on an earlier host's streams.
   */
  private abandonTransfers(): void {
    for (const upload of this.uploads.values()) upload.abandon();
    for (const download of this.downloads.values()) download.cancel();
    for (const tunnel of this.tunnels.values()) tunnel.cancel();
    this.uploads.clear();
    this.downloads.clear();
    this.tunnels.clear();
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
        this.abandonTransfers();
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
      case 'usage':
        guestUsage(this.options.home).then(
          (figures) => this.send({ type: 'usage', id: message.id, ...figures }),
          (error: Error) => this.internal(message.id, error),
        );
        return;
      case 'signal':
        this.execs.get(message.id)?.signal(message.signal);
        return;
      case 'exec':
        this.startExec(message);
        return;
      case 'resize':
        this.execs.get(message.id)?.resize({ cols: message.cols, rows: message.rows });
        return;
      case 'connect':
        this.startTunnel(message);
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
      // Frames within a stream: for an id we do not know (a transfer that ended, failed or was
      // cancelled, with frames still on the way) they are ignored.
      case 'data':
        this.uploads.get(message.id)?.onData(message.data, message.end === true);
        this.execs.get(message.id)?.feedStdin(message.data, message.end === true);
        this.tunnels.get(message.id)?.onData(message.data, message.end === true);
        return;
      case 'credit':
        this.downloads.get(message.id)?.grant(message.bytes);
        this.execs.get(message.id)?.grantOutput(message.bytes);
        this.tunnels.get(message.id)?.grant(message.bytes);
        return;
      case 'cancel':
        this.uploads.get(message.id)?.cancel();
        this.downloads.get(message.id)?.cancel();
        this.tunnels.get(message.id)?.cancel();
        return;
      case 'write':
        this.startUpload(message);
        return;
      case 'read':
        this.startDownload(message);
        return;
      case 'stat':
        this.answer(message.id, statPath(this.options.home, message.path), (entry) => ({
          type: 'entry',
          id: message.id,
          entry,
        }));
        return;
      case 'list':
        this.answer(
          message.id,
          listDirectory(this.options.home, message.path, message.recursive ?? false),
          (listing) => ({ type: 'entries', id: message.id, ...listing }),
        );
        return;
      case 'mkdir':
        this.answer(message.id, makeDirectory(this.options.home, message.path, message), okFor);
        return;
      case 'remove':
        this.answer(
          message.id,
          removePath(this.options.home, message.path, message.recursive ?? false),
          okFor,
        );
        return;
      case 'rename':
        this.answer(message.id, renamePath(this.options.home, message.from, message.to), okFor);
        return;
      case 'symlink':
        this.answer(message.id, makeSymlink(this.options.home, message.path, message.target), okFor);
        return;
      case 'chmod':
        this.answer(message.id, changeMode(this.options.home, message.path, message.mode), okFor);
        return;
    }
  }

  /** Ids name one running thing at a time: an exec, an upload, a download or a tunnel. */
  private claim(id: string): boolean {
    const taken =
      this.execs.has(id) || this.uploads.has(id) || this.downloads.has(id) || this.tunnels.has(id);
    if (!taken) return true;
    this.reject(id, `request id "${id}" is already running`);
    return false;
  }

  private startExec(message: ExecMessage): void {
    if (!this.claim(message.id)) return;
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
  }

  private startUpload(message: WriteMessage): void {
    if (!this.claim(message.id)) return;
    const upload = new Upload(message, this.transferContext(), () => {
      if (this.uploads.get(message.id) === upload) this.uploads.delete(message.id);
    });
    this.uploads.set(message.id, upload);
    upload.start();
  }

  private startDownload(message: ReadMessage): void {
    if (!this.claim(message.id)) return;
    const download = new Download(message, this.transferContext(), () => {
      this.streams.delete(download);
      if (this.downloads.get(message.id) === download) this.downloads.delete(message.id);
    });
    this.downloads.set(message.id, download);
    this.track(download);
    download.start().catch((error: Error) => this.internal(message.id, error));
  }

  private startTunnel(message: ConnectMessage): void {
    if (!this.claim(message.id)) return;
    const tunnel = new PortTunnel(
      message,
      { send: (m) => this.send(m), track: (s) => this.track(s), untrack: (s) => this.streams.delete(s) },
      () => {
        if (this.tunnels.get(message.id) === tunnel) this.tunnels.delete(message.id);
      },
    );
    this.tunnels.set(message.id, tunnel);
    tunnel.start().catch((error: Error) => this.internal(message.id, error));
  }

  private transferContext() {
    return { home: this.options.home, send: (m: AgentMessage) => this.send(m), log: this.options.log };
  }

  /** A one-reply file request: its result as `reply`, or its failure as `error`. */
  private answer<T>(id: string, work: Promise<T>, reply: (value: T, id: string) => AgentMessage): void {
    work.then(
      (value) => this.send(reply(value, id)),
      (error: Error) => this.fileError(id, error),
    );
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
      frame = encodeFrame(message, undefined, { binaryData: !this.options.resync });
    } catch (error) {
      this.options.log(`dropping unencodable ${message.type}: ${(error as Error).message}`);
      return;
    }
    this.write(frame);
  }

  private write(bytes: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    // Frames of one turn of the event loop leave in one system call (see AgentClient).
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    if (!this.socket.write(bytes)) this.setThrottled(true);
  }

  private track(stream: Producer): void {
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
