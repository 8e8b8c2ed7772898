/**
 * Flow control against a hostile or silent agent: a fake agent on a Unix socket that sends past
 * the host's credit, or never grants any. The host must drop the stream, never buffer more than
 * its window, and never wait forever.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from './client.js';
import { encodeFrame, FrameDecoder } from './framing.js';
import { DATA_CHUNK_BYTES, INITIAL_WINDOW_BYTES, TTY_OUTPUT_WINDOW_BYTES } from './messages.js';

type Frame = Record<string, unknown>;

describe('flow control against a hostile agent', () => {
  let server: Server;
  let dir: string;
  let behave: (socket: Socket, message: Frame) => void = () => {};
  let received: Frame[] = [];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-flow-'));
    server = createServer((socket) => {
      sockets.add(socket);
      const decoder = new FrameDecoder();
      socket.on('error', () => {});
      socket.on('data', (chunk) => {
        for (const event of decoder.push(chunk)) {
          if (event.kind !== 'frame') continue;
          const message = event.value as Frame;
          received.push(message);
          if (message.type === 'ping')
            socket.write(encodeFrame({ type: 'pong', id: message.id, version: 'fake/2' }));
          else behave(socket, message);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(join(dir, 'fake.sock'), resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** `requestTimeoutMs` short where a stall is the point, else long enough for a loaded machine. */
  async function open(requestTimeoutMs = 300): Promise<AgentClient> {
    received = [];
    const socket = connect(join(dir, 'fake.sock'));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    return new AgentClient(socket, { requestTimeoutMs });
  }

  it('drops a download whose agent sends past the window, holding no more than the window', async () => {
    const chunk = Buffer.alloc(DATA_CHUNK_BYTES, 1).toString('base64');
    behave = (socket, message) => {
      if (message.type !== 'read') return;
      socket.write(
        encodeFrame({
          type: 'entry',
          id: message.id,
          entry: { name: 'f', type: 'file', size: 0, mode: 0o644, mtimeMs: 0 },
        }),
      );
      // Twice the window, never waiting for credit.
      for (let sent = 0; sent < 2 * INITIAL_WINDOW_BYTES; sent += DATA_CHUNK_BYTES) {
        socket.write(encodeFrame({ type: 'data', id: message.id, data: chunk }));
      }
    };
    const client = await open(10_000);
    const { body } = await client.readFile('f');
    // Nobody reads yet: everything the agent may send piles up here, and no more than that.
    await new Promise((resolve) => body.once('error', resolve));
    expect(body.readableLength).toBeLessThanOrEqual(INITIAL_WINDOW_BYTES);
    expect(body.errored).toMatchObject({ code: 'ERR_AGENT_PROTOCOL' });
    await expect.poll(() => received.some((m) => m.type === 'cancel')).toBe(true);
    expect((await client.ping()).version).toBe('fake/2'); // one stream dropped, not the connection
    await client.close();
  });

  it('fails an upload the agent never grants credit for, having sent at most the window', async () => {
    behave = () => {};
    const client = await open();
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) yield Buffer.alloc(DATA_CHUNK_BYTES);
    }
    const started = Date.now();
    await expect(client.writeFile('x', endless())).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE' });
    expect(Date.now() - started).toBeLessThan(3000);
    const sent = received
      .filter((m) => m.type === 'data')
      .reduce((n, m) => n + Buffer.from(m.data as string, 'base64').length, 0);
    expect(sent).toBe(INITIAL_WINDOW_BYTES);
    await expect.poll(() => received.at(-1)).toMatchObject({ type: 'cancel' });
    await client.close();
  });

  it('fails a download whose agent goes silent while it owes data', async () => {
    behave = (socket, message) => {
      if (message.type !== 'read') return;
      socket.write(
        encodeFrame({
          type: 'entry',
          id: message.id,
          entry: { name: 'f', type: 'file', size: 10, mode: 0o644, mtimeMs: 0 },
        }),
      );
    };
    const client = await open();
    const { body } = await client.readFile('f');
    await expect(body.toArray()).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE' });
    await client.close();
  });

  it('kills a terminal exec whose agent sends output past its credit, having taken no more than the window', async () => {
    const chunk = Buffer.alloc(64 * 1024, 1).toString('base64');
    behave = (socket, message) => {
      if (message.type !== 'exec') return;
      socket.write(encodeFrame({ type: 'started', id: message.id, pid: 4242 }));
      for (let sent = 0; sent < 2 * TTY_OUTPUT_WINDOW_BYTES; sent += 64 * 1024) {
        socket.write(encodeFrame({ type: 'out', id: message.id, stream: 'stdout', data: chunk }));
      }
    };
    const client = await open(10_000);
    let taken = 0;
    const outcome = client.exec(
      { argv: ['yes'], tty: { cols: 80, rows: 24 }, timeoutMs: 10_000 },
      {
        onStdout: (c) => {
          taken += c.length;
          return new Promise<void>(() => {}); // never taken
        },
      },
    );
    await expect(outcome).rejects.toMatchObject({ code: 'ERR_AGENT_PROTOCOL' });
    expect(taken).toBeLessThanOrEqual(TTY_OUTPUT_WINDOW_BYTES);
    await expect.poll(() => received.some((m) => m.type === 'signal' && m.signal === 'SIGKILL')).toBe(true);
    await client.close();
  });

  it('drops a tunnel whose agent sends past the window, holding no more than the window', async () => {
    const chunk = Buffer.alloc(DATA_CHUNK_BYTES, 1).toString('base64');
    behave = (socket, message) => {
      if (message.type !== 'connect') return;
      socket.write(encodeFrame({ type: 'ok', id: message.id }));
      for (let sent = 0; sent < 2 * INITIAL_WINDOW_BYTES; sent += DATA_CHUNK_BYTES) {
        socket.write(encodeFrame({ type: 'data', id: message.id, data: chunk }));
      }
    };
    const client = await open(10_000);
    const tunnel = await client.connectPort(8080);
    await new Promise((resolve) => tunnel.once('error', resolve));
    expect(tunnel.readableLength).toBeLessThanOrEqual(INITIAL_WINDOW_BYTES);
    expect(tunnel.errored).toMatchObject({ code: 'ERR_AGENT_PROTOCOL' });
    await expect.poll(() => received.some((m) => m.type === 'cancel')).toBe(true);
    await client.close();
  });

  it('fails a tunnel whose agent never answers the connect, and cancels it', async () => {
    behave = () => {};
    const client = await open();
    await expect(client.connectPort(8080)).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE' });
    await expect.poll(() => received.at(-1)).toMatchObject({ type: 'cancel' });
    await client.close();
  });
});
