import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import type { WebSocket } from 'ws';
import type { LogStreamMessage } from '../api/types.js';
import { AetherError, ERROR_CODES, toWireError } from '../core/errors.js';
import type { LogFilter, LogLine, LogReader } from '../core/logs.js';
import { logLineJson } from './log-filter.js';

/** Lines reach the backend in batches, up to a batch interval late: each poll looks this far back. */
export const LOG_TAIL_LOOKBACK_MS = 15_000;
/** Lines one poll reads at most; past it a tail skips the older ones rather than fall behind. */
const POLL_LIMIT = 1000;

export interface LogTailSink {
  send(message: LogStreamMessage): Promise<void>;
  /** Closes the connection; `error` when the tail failed. */
  end(error?: Extract<LogStreamMessage, { type: 'error' }>): void;
  readonly gone: AbortSignal;
}

export interface LogTailOptions {
  backlog: number;
  pollIntervalMs: number;
  /** Aborted when the gateway closes. */
  closing: AbortSignal;
}

/**
 * Follows the logs by polling the reader (the store or Loki: a tail works wherever the writer
 * runs, on any host). Each poll reads the last LOG_TAIL_LOOKBACK_MS, since lines arrive a batch
 * late, and sends only lines it has not sent, oldest first. Never throws.
 */
export async function runLogTail(
  reader: LogReader,
  filter: LogFilter,
  options: LogTailOptions,
  sink: LogTailSink,
): Promise<void> {
  const signal = AbortSignal.any([sink.gone, options.closing]);
  const sent = new Map<string, number>();
  let newest = Date.now();
  const deliver = async (lines: LogLine[]) => {
    for (const line of lines) {
      if (sent.has(line.id)) continue;
      sent.set(line.id, line.time.getTime());
      newest = Math.max(newest, line.time.getTime());
      await sink.send({ type: 'line', line: logLineJson(line) });
    }
  };
  try {
    // What is already there is not new: only the backlog of it is sent.
    const since = Date.now() - LOG_TAIL_LOOKBACK_MS;
    const present = await reader.query({
      ...filter,
      start: new Date(since),
      limit: POLL_LIMIT,
      order: 'desc',
    });
    for (const line of present) sent.set(line.id, line.time.getTime());
    if (options.backlog > 0) {
      const backlog = await reader.query({ ...filter, limit: options.backlog, order: 'desc' });
      for (const line of backlog.reverse()) {
        sent.set(line.id, line.time.getTime());
        await sink.send({ type: 'line', line: logLineJson(line) });
      }
    }
    while (!signal.aborted) {
      await sleep(options.pollIntervalMs, undefined, { signal });
      const since = newest - LOG_TAIL_LOOKBACK_MS;
      const fresh = await reader.query({
        ...filter,
        start: new Date(since),
        limit: POLL_LIMIT,
        order: 'desc',
      });
      await deliver(fresh.reverse());
      for (const [id, at] of sent) if (at < since) sent.delete(id);
    }
    sink.end();
  } catch (error) {
    if (sink.gone.aborted) {
      sink.end();
      return;
    }
    const wire = options.closing.aborted
      ? new AetherError('ERR_SHUTTING_DOWN', 'the gateway is closing; reconnect').toWire()
      : toWireError(error);
    const message = { type: 'error' as const, ...wire };
    await sink.send(message).catch(() => {});
    sink.end(message);
  }
}

/** A tail's sink on an accepted WebSocket; close code 1000, or 4000 + status after an error. */
export function logWebsocketSink(socket: WebSocket): LogTailSink {
  const gone = new AbortController();
  socket.on('close', () => gone.abort());
  socket.on('error', () => gone.abort());
  socket.on('message', () => {});
  return {
    gone: gone.signal,
    send: (message) =>
      new Promise<void>((resolve, reject) => {
        if (gone.signal.aborted) {
          reject(new Error('client gone'));
          return;
        }
        socket.send(JSON.stringify(message), (error) => (error ? reject(error) : resolve()));
      }),
    end(error) {
      if (gone.signal.aborted) return;
      socket.close(error ? 4000 + ERROR_CODES[error.code].status : 1000, error?.code ?? 'end');
    },
  };
}

/** A tail's sink as Server-Sent Events: one event per message, named by its type. */
export function logSseSink(reply: FastifyReply): LogTailSink {
  const out = new PassThrough();
  const gone = new AbortController();
  reply.raw.once('close', () => gone.abort());
  reply
    .status(200)
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-accel-buffering', 'no');
  void reply.send(out);
  const keepalive = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
  return {
    gone: gone.signal,
    async send(message) {
      if (gone.signal.aborted) throw new Error('client gone');
      if (!out.write(`event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`)) {
        await once(out, 'drain', { signal: gone.signal });
      }
    },
    end() {
      clearInterval(keepalive);
      out.end();
    },
  };
}
