/**
 * AgentClient against the real agent bundle over a Unix socket (no sandbox: the agent runs as a
 * plain host process in a temp dir), plus hostile fake agents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SpawnedAgent, spawnAgent } from '../agent/spawn-agent.js';
import { isAetherError } from '../core/errors.js';
import { AgentClient } from './client.js';
import { encodeFrame, encodeSync, FrameDecoder } from './framing.js';
import { MAX_PAYLOAD_BYTES } from './messages.js';

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

async function connectClient(
  path: string,
  options?: ConstructorParameters<typeof AgentClient>[1],
): Promise<AgentClient> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return new AgentClient(socket, options);
}

describe('AgentClient ↔ agent over a Unix socket', () => {
  let dir: string;
  let agent: SpawnedAgent;
  let client: AgentClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-client-'));
    agent = await spawnAgent(inject('agentBundlePath'), dir);
    client = await connectClient(agent.socketPath);
  });

  afterAll(async () => {
    await client?.close();
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pings', async () => {
    const pong = await client.ping();
    expect(pong.version).toBe('aether-agent/3');
  });

  it('streams stdout and stderr separately and reports the exit code', async () => {
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const result = await client.exec(
      { argv: ['sh', '-c', 'echo out; echo err >&2; exit 7'], timeoutMs: 5000 },
      { onStdout: (c) => void out.push(c), onStderr: (c) => err.push(c) },
    );
    expect(result).toMatchObject({ exitCode: 7, signal: null, timedOut: false });
    expect(text(out)).toBe('out\n');
    expect(text(err)).toBe('err\n');
  });

  it('passes stdin, env and cwd; defaults cwd to home', async () => {
    const out: Uint8Array[] = [];
    await client.exec(
      {
        argv: ['sh', '-c', 'cat; echo " $GREETING $(pwd)"'],
        env: { GREETING: 'hi' },
        cwd: '/tmp',
        stdin: Buffer.from('IN'),
        timeoutMs: 5000,
      },
      { onStdout: (c) => void out.push(c) },
    );
    expect(text(out)).toBe('IN hi /tmp\n');
    const home: Uint8Array[] = [];
    await client.exec({ argv: ['pwd'], timeoutMs: 5000 }, { onStdout: (c) => void home.push(c) });
    expect(text(home).trim()).toBe(dir);
  });

  it('does not leak the agent environment into commands', async () => {
    const out: Uint8Array[] = [];
    await client.exec({ argv: ['env'], timeoutMs: 5000 }, { onStdout: (c) => void out.push(c) });
    const names = text(out)
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0])
      .sort();
    expect(names).toEqual(['AETHER_EXEC_ID', 'HOME', 'LANG', 'LOGNAME', 'PATH', 'USER']);
  });

  it('reports a missing binary or cwd as ERR_EXEC_SPAWN_FAILED, not an exit code', async () => {
    await expect(client.exec({ argv: ['no-such-binary-xyz'], timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'ERR_EXEC_SPAWN_FAILED',
    });
    await expect(client.exec({ argv: ['true'], cwd: '/no/such/dir', timeoutMs: 5000 })).rejects.toMatchObject(
      {
        code: 'ERR_EXEC_SPAWN_FAILED',
        message: expect.stringContaining('/no/such/dir'),
      },
    );
  });

  it('kills the whole tree on timeout, including children that left the process group', async () => {
    const pids = join(dir, 'pids');
    const result = await client.exec({
      argv: ['sh', '-c', `sleep 300 & echo $! > ${pids}; setsid sleep 301 & echo $! >> ${pids}; sleep 302`],
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    const check = await client.exec(
      {
        argv: [
          'sh',
          '-c',
          `for p in $(cat ${pids}); do s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); [ -z "$s" ] || [ "$s" = Z ] || echo alive $p; done`,
        ],
        timeoutMs: 5000,
      },
      { onStdout: (c) => expect.fail(`still running: ${Buffer.from(c).toString()}`) },
    );
    expect(check.exitCode).toBe(0);
  });

  it('kills the command when the abort signal fires and rejects with its reason', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('stop it')), 100);
    await expect(
      client.exec({ argv: ['sleep', '30'], timeoutMs: 60_000 }, {}, controller.signal),
    ).rejects.toThrow('stop it');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('multiplexes concurrent execs on one connection', async () => {
    const started = Date.now();
    const outputs = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const out: Uint8Array[] = [];
        await client.exec(
          { argv: ['sh', '-c', `sleep 0.3; echo ${i}`], timeoutMs: 5000 },
          { onStdout: (c) => void out.push(c) },
        );
        return text(out).trim();
      }),
    );
    expect(outputs).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('carries large output intact, in order', async () => {
    const out: Uint8Array[] = [];
    const result = await client.exec(
      { argv: ['head', '-c', String(20 * 1024 * 1024), '/dev/zero'], timeoutMs: 20_000 },
      { onStdout: (c) => void out.push(c) },
    );
    expect(result.exitCode).toBe(0);
    expect(out.reduce((n, c) => n + c.length, 0)).toBe(20 * 1024 * 1024);
  });

  it("rejects a malformed request as the caller's ERR_VALIDATION before sending it", async () => {
    await expect(client.exec({ argv: [], timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await expect(client.exec({ argv: ['true'], timeoutMs: 0 })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await expect(client.exec({ argv: ['true'], env: { 'A=B': '1' }, timeoutMs: 1000 })).rejects.toMatchObject(
      {
        code: 'ERR_VALIDATION',
      },
    );
    await expect(client.readFile('')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    expect((await client.ping()).version).toBe('aether-agent/3'); // the connection is unharmed
  });

  it('writes and reads files, creating parents and keeping the mode', async () => {
    const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(await client.writeFile('sub/dir/bytes.bin', Readable.from([data]), { mode: 0o640 })).toEqual({
      size: 256,
    });
    const { entry, body } = await client.readFile(join(dir, 'sub/dir/bytes.bin'));
    expect(entry).toMatchObject({ name: 'bytes.bin', type: 'file', size: 256, mode: 0o640 });
    expect(Buffer.concat(await body.toArray()).equals(data)).toBe(true);
  });

  it('maps file errors to stable codes', async () => {
    await expect(client.readFile('missing.txt')).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
    await expect(client.readFile('/tmp')).rejects.toMatchObject({ code: 'ERR_IS_A_DIRECTORY' });
    await expect(
      client.exec({ argv: ['cat'], stdin: new Uint8Array(MAX_PAYLOAD_BYTES + 1), timeoutMs: 1000 }),
    ).rejects.toMatchObject({
      code: 'ERR_BODY_TOO_LARGE',
    });
  });
});

describe('AgentClient against a hostile agent', () => {
  let server: Server;
  let dir: string;
  let behave: (socket: Socket, frame: Buffer) => void = () => {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-hostile-'));
    server = createServer((socket) => socket.on('data', (frame) => behave(socket, frame)));
    await new Promise<void>((resolve) => server.listen(join(dir, 'fake.sock'), resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops the connection on an oversized frame and fails pending requests', async () => {
    behave = (socket) => socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    const client = await connectClient(join(dir, 'fake.sock'));
    const error = await client.ping().catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_AGENT_PROTOCOL')).toBe(true);
    expect(client.closed).toBe(true);
  });

  it('drops the connection on a message that breaks the schema', async () => {
    behave = (socket) => socket.write(encodeFrame({ type: 'pong', id: '1', version: 42 }));
    const client = await connectClient(join(dir, 'fake.sock'));
    await expect(client.ping()).rejects.toMatchObject({ code: 'ERR_AGENT_PROTOCOL' });
  });

  it('fails a request answered with the wrong kind of reply', async () => {
    behave = (socket) => socket.write(encodeFrame({ type: 'ok', id: '1' }));
    const client = await connectClient(join(dir, 'fake.sock'));
    await expect(client.ping()).rejects.toMatchObject({ code: 'ERR_AGENT_PROTOCOL' });
    await client.close();
  });

  it('times out a silent agent', async () => {
    behave = () => {};
    const client = await connectClient(join(dir, 'fake.sock'), { requestTimeoutMs: 100, exitGraceMs: 100 });
    await expect(client.ping()).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE' });
    await expect(client.exec({ argv: ['x'], timeoutMs: 100 })).rejects.toMatchObject({
      code: 'ERR_AGENT_UNREACHABLE',
    });
    await client.close();
  });
});

/**
 * A fake agent on a serial line: decodes in resync mode, echoes markers (unless told to swallow
 * them) and answers pings. What it sends before the echo is stale by definition.
 */
describe('AgentClient in resync mode (a serial line)', () => {
  let server: Server;
  let dir: string;
  let line: {
    /** Written to each new connection before anything else. */
    stale: Buffer;
    /** Markers to ignore before echoing one. */
    swallow: number;
    /** Nonce override for the echo (a wrong one must not sync the client). */
    echoNonce: Buffer | null;
    afterSync: Buffer;
    received: Record<string, unknown>[];
    markers: number;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-line-'));
    server = createServer((socket) => {
      const decoder = new FrameDecoder({ resync: true });
      socket.write(line.stale);
      socket.on('data', (chunk) => {
        for (const event of decoder.push(chunk)) {
          if (event.kind === 'sync') {
            line.markers++;
            if (line.swallow > 0) {
              line.swallow--;
              continue;
            }
            socket.write(Buffer.concat([encodeSync(line.echoNonce ?? event.nonce), line.afterSync]));
          } else if (event.kind === 'frame') {
            const message = event.value as Record<string, unknown>;
            line.received.push(message);
            if (message.type === 'ping') {
              socket.write(encodeFrame({ type: 'pong', id: message.id, version: 'fake/1' }));
            }
          }
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(join(dir, 'line.sock'), resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const reset = (overrides: Partial<typeof line> = {}) => {
    line = {
      stale: Buffer.alloc(0),
      swallow: 0,
      echoNonce: null,
      afterSync: Buffer.alloc(0),
      received: [],
      markers: 0,
      ...overrides,
    };
  };
  const open = (options: ConstructorParameters<typeof AgentClient>[1] = {}) =>
    connectClient(join(dir, 'line.sock'), { resync: true, ...options });

  it('ignores everything before the echo of its marker, then serves requests', async () => {
    // Half a frame, a frame that would break the schema, and raw garbage: all meant for an earlier host.
    const broken = encodeFrame({ type: 'pong', id: '1', version: 42 });
    reset({
      stale: Buffer.concat([encodeFrame({ type: 'ok', id: '1' }).subarray(0, 9), broken, Buffer.from('~~~')]),
    });
    const client = await open();
    await client.sync(2000);
    expect((await client.ping()).version).toBe('fake/1');
    expect(client.closed).toBe(false);
    await client.close();
  });

  it('holds requests made before the sync and starts one itself', async () => {
    reset();
    const client = await open();
    const pongs = await Promise.all([client.ping(), client.ping()]);
    expect(pongs.map((p) => p.version)).toEqual(['fake/1', 'fake/1']);
    expect(line.markers).toBe(1);
    // Ids carry a per-client prefix, so replies meant for an earlier host on the line never match.
    const ids = line.received.map((m) => m.id as string);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-1$/);
    expect(new Set(ids.map((id) => id.split('-')[0])).size).toBe(1);
    await client.close();
  });

  it('sends the marker again until it is echoed', async () => {
    reset({ swallow: 2 });
    const client = await open();
    const started = Date.now();
    await client.sync(3000);
    expect(line.markers).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    await client.close();
  });

  it('does not take an echo of another nonce for its own, and gives up at the deadline', async () => {
    reset({ echoNonce: Buffer.from('not-your-nonce!!') });
    const client = await open({ requestTimeoutMs: 5000 });
    const started = Date.now();
    const sync = client.sync(400);
    const ping = client.ping().catch((error: unknown) => error);
    await expect(sync).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE' });
    // The request that waited for the sync fails with it, not at its own (later) deadline.
    expect(await ping).toMatchObject({ code: 'ERR_AGENT_UNREACHABLE', message: /sync marker/ });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(client.closed).toBe(false);
    await client.close();
  });

  it('drops the connection when the agent sends garbage after the sync', async () => {
    reset({ afterSync: Buffer.from('garbage after the echo') });
    const client = await open();
    await client.sync(2000).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.closed).toBe(true);
    await expect(client.ping()).rejects.toMatchObject({ code: 'ERR_AGENT_PROTOCOL' });
  });

  it('on a socket (no resync), sync() resolves at once and sends nothing', async () => {
    reset();
    const client = await connectClient(join(dir, 'line.sock'));
    await client.sync(10);
    expect(line.markers).toBe(0);
    await client.close();
  });
});
