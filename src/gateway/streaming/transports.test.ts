/**
 * The three wires over a real server: each sends the same messages in its own format, keeps an
 * idle stream alive the same way, and ends as its stream says.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AetherError, type WireError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { ndjsonTransport } from './ndjson-transport.js';
import { runStream, type StreamSpec } from './run-stream.js';
import { sseTransport } from './sse-transport.js';
import { errorClose, NORMAL_CLOSE } from './transport.js';
import { websocketTransport } from './websocket-transport.js';

type Message = { type: 'tick'; n: number } | { type: 'done' } | ({ type: 'error' } & WireError);

const KEEPALIVE_MS = 40;

/** `count` ticks, `pauseMs` apart, then `done`; or a failure after them when `fail`. */
function ticks(count: number, pauseMs: number, fail = false): StreamSpec<Message> {
  return {
    name: 'test stream',
    async *messages(signal) {
      for (let n = 1; n <= count; n++) {
        if (signal.aborted) return;
        yield { type: 'tick', n };
        await sleep(pauseMs);
      }
      if (fail) throw new AetherError('ERR_STORE_UNAVAILABLE', 'store away');
      yield { type: 'done' };
    },
    isFinal: (message) => message.type !== 'tick',
    failure: (error) => ({ type: 'error', ...error }),
    shutdown: () => new AetherError('ERR_SHUTTING_DOWN', 'closing').toWire(),
    closeAfter: (last) => (last?.type === 'error' ? errorClose(last.code) : NORMAL_CLOSE),
  };
}

let app: FastifyInstance;
let base: string;
const deps = { logger: silentLogger };

beforeAll(async () => {
  app = Fastify();
  await app.register(websocket);
  app.route({
    method: 'GET',
    url: '/stream',
    handler: async (request, reply) => {
      const { count, pause, fail, wire } = request.query as Record<string, string>;
      const spec = ticks(Number(count), Number(pause), fail === '1');
      const transport =
        wire === 'ndjson'
          ? ndjsonTransport<Message>(reply, { keepAliveMs: KEEPALIVE_MS })
          : sseTransport<Message>(reply, { keepAliveMs: KEEPALIVE_MS, retryMs: 1000 });
      void runStream(deps, spec, transport);
      return reply;
    },
    wsHandler: (socket, request) => {
      const { count, pause, fail } = request.query as Record<string, string>;
      void runStream(
        deps,
        ticks(Number(count), Number(pause), fail === '1'),
        websocketTransport<Message>(socket, { keepAliveMs: KEEPALIVE_MS }),
      );
    },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
});

async function body(query: string): Promise<{ type: string | null; text: string }> {
  const res = await fetch(`${base}/stream?${query}`);
  return { type: res.headers.get('content-type'), text: await res.text() };
}

function openSocket(query: string, options: WebSocket.ClientOptions = {}) {
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/stream?${query}`, options);
  const frames: unknown[] = [];
  let pings = 0;
  socket.on('message', (data) => frames.push(JSON.parse(String(data))));
  socket.on('ping', () => pings++);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return { frames, pings: () => pings, closed };
}

describe('stream transports', () => {
  it('write NDJSON lines, with a blank line while idle', async () => {
    const { type, text } = await body('wire=ndjson&count=2&pause=150');
    expect(type).toBe('application/x-ndjson');
    const lines = text.split('\n');
    expect(lines.filter(Boolean).map((line) => JSON.parse(line))).toEqual([
      { type: 'tick', n: 1 },
      { type: 'tick', n: 2 },
      { type: 'done' },
    ]);
    expect(lines.filter((line) => line === '').length).toBeGreaterThan(1);
  });

  it('write SSE events named by type, with the retry first and a comment while idle', async () => {
    const { type, text } = await body('wire=sse&count=2&pause=150');
    expect(type).toBe('text/event-stream; charset=utf-8');
    expect(text.startsWith('retry: 1000\n\n')).toBe(true);
    expect(text).toContain(': keep-alive\n\n');
    expect(text.split('\n\n').filter((block) => block.startsWith('event:'))).toEqual([
      'event: tick\ndata: {"type":"tick","n":1}',
      'event: tick\ndata: {"type":"tick","n":2}',
      'event: done\ndata: {"type":"done"}',
    ]);
  });

  it('send WebSocket frames, ping while idle, and close with 1000 at the end', async () => {
    const stream = openSocket('count=2&pause=150');
    expect(await stream.closed).toEqual({ code: 1000, reason: 'end' });
    expect(stream.frames).toEqual([{ type: 'tick', n: 1 }, { type: 'tick', n: 2 }, { type: 'done' }]);
    expect(stream.pings()).toBeGreaterThan(1);
  });

  it('drop a WebSocket peer that does not answer a ping within an interval', async () => {
    const stream = openSocket('count=100&pause=20', { autoPong: false });
    const { code } = await stream.closed;
    // Terminated: no close frame, so the client sees 1006 after a few ticks, not all of them.
    expect(code).toBe(1006);
    expect(stream.frames.length).toBeLessThan(100);
  });

  it('end a failed stream with its error on every wire, and close the socket with 4000 + status', async () => {
    const error = { type: 'error', code: 'ERR_STORE_UNAVAILABLE', message: 'store away' };
    const stream = openSocket('count=1&pause=0&fail=1');
    expect(await stream.closed).toEqual({ code: 4503, reason: 'ERR_STORE_UNAVAILABLE' });
    expect(stream.frames.at(-1)).toMatchObject(error);
    const ndjson = (await body('wire=ndjson&count=1&pause=0&fail=1')).text.split('\n').filter(Boolean);
    expect(JSON.parse(ndjson.at(-1)!)).toMatchObject(error);
    expect((await body('wire=sse&count=1&pause=0&fail=1')).text).toContain(
      'event: error\ndata: {"type":"error"',
    );
  });
});
