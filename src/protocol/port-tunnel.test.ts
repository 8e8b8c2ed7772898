/**
 * Port tunnels (`connect`): AgentClient against the real agent bundle, on a Unix socket and on a
 * serial line, to real TCP servers on this host's loopback (the agent runs here, so the host's
 * loopback is its "guest" loopback).
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type SpawnedAgent,
  type SpawnedSerialAgent,
  spawnAgent,
  spawnSerialAgent,
} from '../agent/spawn-agent.js';
import { isAetherError } from '../core/errors.js';
import { AgentClient } from './client.js';
import { encodeFrame, FrameDecoder } from './framing.js';
import { INITIAL_WINDOW_BYTES } from './messages.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A TCP server on 127.0.0.1 with `onSocket` for each connection; its sockets are tracked. */
async function serve(
  onSocket: (socket: Socket) => void,
): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port, sockets };
}

/** Echoes everything, and half-closes after the peer did. */
const echo = (socket: Socket) => socket.pipe(socket);

/** A port nothing listens on (bound then released). */
async function freePort(): Promise<number> {
  const { server, port } = await serve(() => {});
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Writes `bytes` in uneven pieces, then ends; reads everything back. */
async function roundTrip(tunnel: Duplex, bytes: Buffer): Promise<Buffer> {
  const reading = tunnel.toArray();
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const size = [1, 70_000, 3000, 300_000][i % 4]!;
    if (!tunnel.write(bytes.subarray(offset, offset + size))) await once(tunnel, 'drain');
    offset += size;
  }
  tunnel.end();
  return Buffer.concat(await reading);
}

async function socketClient(path: string): Promise<AgentClient> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return new AgentClient(socket);
}

describe('port tunnels against the real agent', () => {
  let dir: string;
  let agent: SpawnedAgent;
  let client: AgentClient;
  const servers: { server: Server; sockets: Set<Socket> }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-tunnel-'));
    agent = await spawnAgent(inject('agentBundlePath'), dir);
    client = await socketClient(agent.socketPath);
  });

  afterEach(async () => {
    for (const { server, sockets } of servers.splice(0)) {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  afterAll(async () => {
    await client?.close();
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A server closed after the test, its connections too. */
  async function track<T extends { server: Server; sockets: Set<Socket> }>(made: Promise<T>): Promise<T> {
    const result = await made;
    servers.push(result);
    return result;
  }

  it('carries bytes both ways, 20 tunnels at once, each byte for byte', async () => {
    const { port } = await track(serve(echo));
    const payloads = Array.from({ length: 20 }, (_, i) => randomBytes(i % 2 === 0 ? MiB : 5 * MiB + i));
    const echoed = await Promise.all(
      payloads.map(async (payload) => roundTrip(await client.connectPort(port), payload)),
    );
    for (const [i, payload] of payloads.entries())
      expect(sha256(echoed[i]!), `tunnel ${i}`).toBe(sha256(payload));
    expect((await client.ping()).version).toBe('aether-agent/3');
  });

  it('half-closes each way: the app ends first, then the host', async () => {
    let appGot = '';
    let appEnded: () => void = () => {};
    const appDone = new Promise<void>((resolve) => {
      appEnded = resolve;
    });
    const { port } = await track(
      serve((socket) => {
        socket.end('greeting'); // the app is done talking, still listening
        socket.setEncoding('utf8').on('data', (text: string) => {
          appGot += text;
        });
        socket.on('end', () => appEnded());
      }),
    );
    const tunnel = await client.connectPort(port);
    tunnel.setEncoding('utf8');
    let hostGot = '';
    tunnel.on('data', (text: string) => {
      hostGot += text;
    });
    await once(tunnel, 'end');
    expect(hostGot).toBe('greeting');
    tunnel.end('late words from the host'); // our side is still open after the app's end
    await appDone;
    expect(appGot).toBe('late words from the host');
    await finished(tunnel); // both ways ended, cleanly
    expect(tunnel.errored).toBeNull();
  });

  it('half-closes each way: the host ends first, the app answers after', async () => {
    const { port } = await track(
      serve((socket) => {
        let length = 0;
        socket.on('data', (chunk: Buffer) => {
          length += chunk.length;
        });
        socket.on('end', () => socket.end(`you sent ${length} bytes`));
      }),
    );
    const tunnel = await client.connectPort(port);
    const answer = tunnel.toArray();
    tunnel.end(Buffer.alloc(123_456, 7));
    expect(Buffer.concat(await answer).toString()).toBe('you sent 123456 bytes');
  });

  it('ends a tunnel with a last ok once both ways ended and the socket closed, then forgets its id', async () => {
    const { port } = await track(serve(echo));
    const raw = connect(agent.socketPath);
    await once(raw, 'connect');
    const decoder = new FrameDecoder();
    const frames: { type: string; data?: Uint8Array; end?: true }[] = [];
    raw.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) if (event.kind === 'frame') frames.push(event.value as never);
    });
    try {
      // Twice on the same id: the agent forgot the first tunnel once it ended.
      for (let round = 0; round < 2; round++) {
        frames.length = 0;
        raw.write(encodeFrame({ type: 'connect', id: 'same-id', port }));
        await expect.poll(() => frames.map((f) => f.type)).toEqual(['ok']);
        raw.write(encodeFrame({ type: 'data', id: 'same-id', data: Buffer.from('abc'), end: true }));
        await expect.poll(() => frames.filter((f) => f.type === 'ok').length).toBe(2);
        const data = frames.filter((f) => f.type === 'data');
        expect(Buffer.concat(data.map((f) => f.data!)).toString()).toBe('abc');
        expect(data.at(-1)?.end).toBe(true);
        expect(frames.map((f) => f.type)).toEqual(['ok', ...data.map(() => 'data'), 'ok']);
      }
    } finally {
      raw.destroy();
    }
  });

  it('answers ERR_PORT_UNREACHABLE for a port nothing listens on, and validates ports', async () => {
    const port = await freePort();
    const error = await client.connectPort(port).catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_PORT_UNREACHABLE'), String(error)).toBe(true);
    expect((error as Error).message).toContain(String(port));
    for (const bad of [0, 65_536, 1.5, -1]) {
      const invalid = await client.connectPort(bad).catch((e: unknown) => e);
      expect(isAetherError(invalid, 'ERR_VALIDATION'), String(bad)).toBe(true);
    }
  });

  it('reaches a server listening on ::1 only', async () => {
    const server = createServer((socket) => socket.end('from ::1'));
    try {
      server.listen(0, '::1');
      await once(server, 'listening');
    } catch {
      return; // no IPv6 loopback here
    }
    servers.push({ server, sockets: new Set() });
    const tunnel = await client.connectPort((server.address() as { port: number }).port);
    tunnel.end();
    expect(Buffer.concat(await tunnel.toArray()).toString()).toBe('from ::1');
  });

  it('holds an app that floods to the window while the host does not read, then delivers it all', async () => {
    let written = 0;
    let appBlocked = false;
    const total = 40 * MiB;
    const { port } = await track(
      serve((socket) => {
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (written < total) {
            written += chunk.length;
            if (!socket.write(chunk)) {
              appBlocked = true;
              socket.once('drain', () => {
                appBlocked = false;
                pump();
              });
              return;
            }
          }
          socket.end();
        };
        pump();
      }),
    );
    const tunnel = await client.connectPort(port);
    await sleep(1000);
    // The host holds no more than the window, whatever the app wrote into the kernel meanwhile.
    expect(tunnel.readableLength).toBeLessThanOrEqual(INITIAL_WINDOW_BYTES);
    const stalled = written;
    await sleep(300);
    expect(written).toBe(stalled);
    expect(appBlocked).toBe(true);
    expect(written).toBeLessThan(total);
    let read = 0;
    for await (const chunk of tunnel) read += (chunk as Buffer).length;
    expect(read).toBe(total);
  });

  it('cancels mid-stream: the app sees the connection close, the agent carries on', async () => {
    let appClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      appClosed = resolve;
    });
    const { port } = await track(
      serve((socket) => {
        const chunk = Buffer.alloc(64 * 1024, 'y');
        const pump = () => {
          while (socket.write(chunk)) {}
          socket.once('drain', pump);
        };
        pump();
        socket.on('close', () => appClosed());
      }),
    );
    const tunnel = await client.connectPort(port);
    await once(tunnel, 'readable');
    tunnel.destroy();
    await closed;
    expect((await client.ping()).version).toBe('aether-agent/3');
  });

  it('cancels on abort, before and after the tunnel opens', async () => {
    const { port, sockets } = await track(serve(echo));
    const early = new AbortController();
    early.abort(new Error('not wanted'));
    await expect(client.connectPort(port, { signal: early.signal })).rejects.toThrow('not wanted');
    const late = new AbortController();
    const tunnel = await client.connectPort(port, { signal: late.signal });
    tunnel.on('error', () => {});
    await expect.poll(() => sockets.size).toBe(1);
    const closed = new Promise((resolve) => tunnel.once('close', resolve));
    late.abort(new Error('gone now'));
    await closed;
    expect(tunnel.errored?.message).toBe('gone now');
    await expect.poll(() => sockets.size).toBe(0);
  });

  it('fails an open tunnel with ERR_TRANSFER_ABORTED when the app resets it', async () => {
    const { port } = await track(serve((socket) => socket.once('data', () => socket.resetAndDestroy())));
    const tunnel = await client.connectPort(port);
    tunnel.write('trigger');
    tunnel.resume();
    const [error] = await once(tunnel, 'error');
    expect(isAetherError(error, 'ERR_TRANSFER_ABORTED'), String(error)).toBe(true);
  });

  it('destroys open tunnels with ERR_AGENT_UNREACHABLE when the connection closes; the app sees the close', async () => {
    const { port, sockets } = await track(serve(echo));
    const own = await socketClient(agent.socketPath);
    const tunnel = await own.connectPort(port);
    await expect.poll(() => sockets.size).toBe(1);
    const failed = once(tunnel, 'error');
    await own.close();
    const [error] = await failed;
    expect(isAetherError(error, 'ERR_AGENT_UNREACHABLE')).toBe(true);
    await expect.poll(() => sockets.size).toBe(0);
  });
});

describe('port tunnels on a serial line', () => {
  let dir: string;
  let agent: SpawnedSerialAgent;
  /** Which host the line's bytes go to: a host that leaves stops reading, as with QEMU's chardev. */
  let current: Duplex | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-tunnel-serial-'));
    agent = await spawnSerialAgent(inject('agentBundlePath'), dir);
    agent.line.on('data', (chunk: Buffer) => current?.push(chunk));
  });

  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A host end on the shared line; the newest one gets what the agent writes. */
  function hostEnd(): Duplex {
    const end = new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        agent.line.write(chunk, callback);
      },
    });
    current = end;
    return end;
  }

  it('carries a tunnel as base64 frames, and a new host abandons the old host tunnels', async () => {
    const sockets = new Set<Socket>();
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.pipe(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      const first = new AgentClient(hostEnd(), { resync: true });
      const payload = randomBytes(3 * MiB);
      expect(sha256(await roundTrip(await first.connectPort(port), payload))).toBe(sha256(payload));
      const left = await first.connectPort(port); // left open by a host that goes away
      left.on('error', () => {});
      await expect.poll(() => sockets.size).toBe(1);
      const second = new AgentClient(hostEnd(), { resync: true });
      await second.sync();
      await expect.poll(() => sockets.size).toBe(0);
      const tunnel = await second.connectPort(port);
      tunnel.end('after the resync');
      expect(Buffer.concat(await tunnel.toArray()).toString()).toBe('after the resync');
      await Promise.all([first.close(), second.close()]);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
