/**
 * The real agent bundle in serial mode. A socket pair stands in for the virtio-serial port (the
 * agent reads and writes it with the same blocking fs calls), and a small in-test "QEMU" serves
 * the line's host end as a Unix socket that hosts connect to one at a time, as
 * `-chardev socket,server=on,wait=off` does: while no host is connected nobody reads the line, so
 * the agent's writes back up, and what it wrote reaches the next host first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Logger, silentLogger } from '../core/logger.js';
import { AgentClient } from '../protocol/client.js';
import { type DecodedEvent, encodeFrame, encodeSync, FrameDecoder } from '../protocol/framing.js';
import { type SpawnedSerialAgent, spawnSerialAgent } from './spawn-agent.js';

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

/**
 * QEMU's side of the port: one host connection at a time bridged to the line; a host that
 * connects while another is attached waits (QEMU does not accept it until the first leaves).
 */
async function serveLine(line: Duplex, path: string): Promise<Server> {
  let host: Socket | null = null;
  const waiting: Socket[] = [];
  line.on('data', (chunk: Buffer) => host?.write(chunk));
  line.pause();
  const attach = (socket: Socket) => {
    host = socket;
    socket.on('data', (chunk) => line.write(chunk));
    socket.resume();
    line.resume();
  };
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.pause();
    socket.on('close', () => {
      if (host !== socket) {
        waiting.splice(waiting.indexOf(socket) >>> 0, 1);
        return;
      }
      host = null;
      line.pause();
      const next = waiting.shift();
      if (next) attach(next);
    });
    if (host) waiting.push(socket);
    else attach(socket);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

async function connectHost(path: string): Promise<Socket> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** A host speaking raw bytes: sends what it is told, reads events with a resync decoder. */
async function rawHost(path: string) {
  const socket = await connectHost(path);
  const decoder = new FrameDecoder({ resync: true });
  const events: DecodedEvent[] = [];
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk) => {
    events.push(...decoder.push(chunk));
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (): Promise<DecodedEvent> => {
    const deadline = Date.now() + 5000;
    while (events.length === 0) {
      if (Date.now() > deadline) throw new Error('no reply from the agent within 5 s');
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return events.shift()!;
  };
  return {
    socket,
    send: (bytes: Buffer) => socket.write(bytes),
    /** Sends a marker and skips everything up to its echo. */
    async sync(nonce: string) {
      socket.write(encodeSync(Buffer.from(nonce)));
      for (;;) {
        const event = await next();
        if (event.kind === 'sync' && event.nonce.toString() === nonce) return;
      }
    },
    /** The next frame's message (a test fails on anything else). */
    async reply(): Promise<Record<string, unknown>> {
      const event = await next();
      if (event.kind !== 'frame') throw new Error(`expected a frame, got ${JSON.stringify(event)}`);
      return event.value as Record<string, unknown>;
    },
    next,
  };
}

describe('agent on a serial line (--serial-fd)', () => {
  let dir: string;
  let agent: SpawnedSerialAgent;
  let server: Server;
  let linePath: string;
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-serial-'));
    agent = await spawnSerialAgent(inject('agentBundlePath'), dir);
    linePath = join(dir, 'line.sock');
    server = await serveLine(agent.line, linePath);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
  });

  afterAll(async () => {
    await agent?.stop();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const host = async (logger?: Logger) => {
    const socket = await connectHost(linePath);
    const client = new AgentClient(socket, logger ? { resync: true, logger } : { resync: true });
    clients.push(client);
    return { socket, client };
  };

  it('runs commands, survives a host that leaves mid-frame, and resynchronises with the next', async () => {
    const first = await host();
    await first.client.sync(5000);
    const out: Uint8Array[] = [];
    await first.client.exec({ argv: ['echo', 'hi'], timeoutMs: 5000 }, { onStdout: (c) => void out.push(c) });
    expect(text(out)).toBe('hi\n');

    // A command that outlives its host: its output and exit are written while no host reads.
    const orphan = first.client
      .exec({ argv: ['sh', '-c', 'sleep 0.3; echo late; exit 3'], timeoutMs: 10_000 })
      .catch((error: unknown) => error);
    // The host dies half-way through writing a frame.
    const frame = encodeFrame({ type: 'exec', id: 'cut', argv: ['echo', 'never'], timeoutMs: 5000 });
    first.socket.write(frame.subarray(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    first.socket.destroy();
    expect(await orphan).toMatchObject({ code: 'ERR_AGENT_UNREACHABLE' });
    await new Promise((resolve) => setTimeout(resolve, 600));

    const logged: object[] = [];
    const logger: Logger = { ...silentLogger, debug: (fields) => logged.push(fields) };
    const second = await host(logger);
    await second.client.sync(5000);
    // What the agent wrote while nobody listened (the orphan's output and exit, its complaint
    // about the cut frame) reached the new host first, and was ignored.
    expect(logged).toEqual([{ staleFrames: expect.any(Number), staleBytes: expect.any(Number) }]);
    expect((logged[0] as { staleFrames: number }).staleFrames).toBeGreaterThanOrEqual(3);
    const again: Uint8Array[] = [];
    const result = await second.client.exec(
      { argv: ['sh', '-c', 'echo hi again; exit 4'], timeoutMs: 5000 },
      { onStdout: (c) => void again.push(c) },
    );
    expect(result).toMatchObject({ exitCode: 4, timedOut: false });
    expect(text(again)).toBe('hi again\n');
    expect((await second.client.ping()).version).toBe('aether-agent/3');
    expect(second.client.closed).toBe(false);
    expect(agent.child.exitCode).toBeNull();
    expect(agent.stderr()).toContain('host synchronised');
  });

  it('a host that syncs while the agent is mid-frame from an earlier one loses nothing of its own', async () => {
    const stale = await connectHost(linePath);
    // A header promising 1000 bytes, and 10 of them.
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1000, 0);
    stale.write(Buffer.concat([header, Buffer.from('{"type":"e')]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    stale.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { client } = await host();
    const pongs = await Promise.all([client.ping(), client.ping(), client.ping()]);
    expect(pongs).toHaveLength(3);
  });

  it('answers unknown types, garbage and oversized lengths with error frames and stays up', async () => {
    const raw = await rawHost(linePath);
    try {
      await raw.sync('first-sync-nonce');
      raw.send(encodeFrame({ type: 'format-disk', id: 'x1' }));
      expect(await raw.reply()).toMatchObject({ type: 'error', id: 'x1', code: 'ERR_AGENT_PROTOCOL' });

      // Garbage: reported, then everything is skipped until the next marker.
      raw.send(Buffer.from('this is not a frame'));
      expect(await raw.reply()).toMatchObject({
        type: 'error',
        id: '?',
        code: 'ERR_AGENT_PROTOCOL',
        message: expect.stringMatching(/discarded 19 bytes.*waiting for a sync marker/),
      });
      raw.send(encodeFrame({ type: 'ping', id: 'lost' }));
      await raw.sync('second-sync-nonc');
      raw.send(encodeFrame({ type: 'ping', id: 'p2' }));
      // Had 'lost' been answered, its pong would have come before the echo.
      expect(await raw.reply()).toMatchObject({ type: 'pong', id: 'p2' });

      // A length over the cap (9 MiB): reported, and the agent waits for a marker again.
      raw.send(Buffer.from([0x00, 0x90, 0x00, 0x00]));
      expect(await raw.reply()).toMatchObject({ type: 'error', id: '?', message: /exceeds/ });
      await raw.sync('third-sync-nonce');
      raw.send(encodeFrame({ type: 'ping', id: 'p3' }));
      expect(await raw.reply()).toMatchObject({ type: 'pong', id: 'p3' });

      // Not JSON, but of a valid length: the line is still in sync.
      const bad = Buffer.from('{nope');
      const badHeader = Buffer.alloc(4);
      badHeader.writeUInt32BE(bad.length, 0);
      raw.send(Buffer.concat([badHeader, bad, encodeFrame({ type: 'ping', id: 'p4' })]));
      expect(await raw.reply()).toMatchObject({ type: 'error', id: '?', message: /not JSON/ });
      expect(await raw.reply()).toMatchObject({ type: 'pong', id: 'p4' });
      expect(agent.child.exitCode).toBeNull();
    } finally {
      raw.socket.destroy();
    }
  });

  // Setting the clock for real is checked inside a microVM (the qemu driver sets it at boot); a
  // test must never move this host's clock, so here only the refusal is checked (below).
});

describe('agent on a serial line, unprivileged', () => {
  it('answers clock with ERR_UNSUPPORTED when not root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aether-serial-nobody-'));
    const ids = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    const agent = await spawnSerialAgent(inject('agentBundlePath'), dir, ids);
    const server = await serveLine(agent.line, join(dir, 'line.sock'));
    const client = new AgentClient(await connectHost(join(dir, 'line.sock')), { resync: true });
    try {
      await expect(client.setClock(Date.now())).rejects.toMatchObject({
        code: 'ERR_UNSUPPORTED',
        message: expect.stringContaining('root'),
      });
    } finally {
      await client.close();
      await agent.stop();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The same over a real character device: a pseudo-terminal in raw mode, whose master side a
 * small Python relay (the "QEMU" here) bridges to a Unix socket that survives host reconnects.
 */
const python = ['/usr/bin/python3', '/usr/local/bin/python3', '/bin/python3'].find((p) => existsSync(p));

const RELAY = `
import os, pty, select, socket, sys, tty
master, slave = pty.openpty()
tty.setraw(slave)
server = socket.socket(socket.AF_UNIX)
server.bind(sys.argv[1])
server.listen(4)
print(os.ttyname(slave), flush=True)
host = None
waiting = []
while True:
    ready, _, _ = select.select([server, sys.stdin] + ([host, master] if host else []), [], [])
    if sys.stdin in ready and not sys.stdin.buffer.read1(1):
        break
    # A host that left is noticed before a new one is taken, and a host that connects while
    # another is attached waits its turn (as QEMU's chardev does), so a quick reconnect is
    # never refused.
    if host in ready:
        data = host.recv(65536)
        if data:
            os.write(master, data)
        else:
            host.close()
            host = waiting.pop(0) if waiting else None
    if server in ready:
        conn, _ = server.accept()
        if host:
            waiting.append(conn)
        else:
            host = conn
    if host and master in ready:
        host.sendall(os.read(master, 65536))
`;

describe.skipIf(!python)('agent on a pseudo-terminal (--serial PATH, a real character device)', () => {
  let dir: string;
  let relay: ChildProcess;
  let agent: ChildProcess;
  let linePath: string;
  let stderr = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-pty-'));
    linePath = join(dir, 'line.sock');
    relay = spawn(python!, ['-c', RELAY, linePath], { stdio: ['pipe', 'pipe', 'inherit'] });
    const [device] = (await once(relay.stdout!.setEncoding('utf8'), 'data')) as [string];
    agent = spawn(process.execPath, [inject('agentBundlePath'), '--serial', device.trim(), '--home', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    });
    agent.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const [ready] = (await once(agent.stdout!.setEncoding('utf8'), 'data')) as [string];
    expect(ready).toContain('ready');
  });

  afterAll(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      agent.kill('SIGTERM');
      await once(agent, 'exit');
    }
    relay?.stdin?.end();
    if (relay && relay.exitCode === null) await once(relay, 'exit');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a command, and again for a new host after the first left mid-frame', async () => {
    const firstSocket = await connectHost(linePath);
    const first = new AgentClient(firstSocket, { resync: true });
    await first.sync(5000);
    const out: Uint8Array[] = [];
    await first.exec({ argv: ['echo', 'hi'], timeoutMs: 5000 }, { onStdout: (c) => void out.push(c) });
    expect(text(out)).toBe('hi\n');
    firstSocket.write(encodeFrame({ type: 'ping', id: 'cut-short' }).subarray(0, 7));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await first.close();

    const second = new AgentClient(await connectHost(linePath), { resync: true });
    try {
      await second.sync(5000);
      const again: Uint8Array[] = [];
      await second.exec(
        { argv: ['sh', '-c', 'printf "\\377\\000binary"'], timeoutMs: 5000 },
        { onStdout: (c) => void again.push(c) },
      );
      // Raw mode: every byte crosses the terminal unchanged.
      expect(Buffer.concat(again).equals(Buffer.from([0xff, 0x00, ...Buffer.from('binary')]))).toBe(true);
    } finally {
      await second.close();
    }
    expect(agent.exitCode, stderr).toBeNull();
  });
});
