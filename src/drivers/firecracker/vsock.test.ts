/**
 * The hybrid-vsock transport end to end with the real agent bundle: a fake vsock device (Unix
 * socket + Firecracker's CONNECT/OK handshake) bridged to the agent once the "guest" has booted.
 * Before that, the socket is missing, or connections are closed without an answer (the guest's
 * reset), or left without any answer: the dialer must retry through all of it within its deadline.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { isAetherError } from '../../core/errors.js';
import type { AgentClient } from '../../protocol/client.js';
import { FakeGuest } from '../../testing/fakes/firecracker/fake-guest.js';
import { AGENT_VSOCK_PORT, connectVsockAgent, dialVsock } from './vsock.js';

let dir: string;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aether-vsock-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function guest(options: { whileBooting?: 'close' | 'silent'; bootDelayMs?: number } = {}): FakeGuest {
  const g = new FakeGuest({ agentBundle: inject('agentBundlePath'), workDir: dir, ...options });
  cleanups.push(() => g.close());
  return g;
}

async function agentFor(promise: Promise<AgentClient>): Promise<AgentClient> {
  const agent = await promise;
  cleanups.push(() => agent.close());
  return agent;
}

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

describe('hybrid vsock to the guest agent', () => {
  it('waits for the socket to appear and the guest to boot, then runs commands on the real agent', async () => {
    const udsPath = join(dir, 'v.sock');
    const g = guest({ bootDelayMs: 300 });
    // The VMM creates the socket at PUT /vsock, a little after we start dialling.
    setTimeout(() => {
      void g.listenVsock(udsPath).then(() => g.boot({ agentPort: AGENT_VSOCK_PORT, serialPath: null }));
    }, 300);
    const started = Date.now();
    const agent = await agentFor(connectVsockAgent({ udsPath, port: AGENT_VSOCK_PORT, timeoutMs: 15_000 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    const out: Uint8Array[] = [];
    const result = await agent.exec(
      { argv: ['sh', '-c', 'echo via vsock; exit 7'], timeoutMs: 5_000 },
      { onStdout: (c) => void out.push(c) },
    );
    expect(result.exitCode).toBe(7);
    expect(text(out)).toBe('via vsock\n');
    expect(await agent.writeFile('note.txt', Readable.from([Buffer.from('kept')]))).toEqual({ size: 4 });
    const { body } = await agent.readFile('note.txt');
    expect(Buffer.concat(await body.toArray()).toString()).toBe('kept');
  });

  it('retries connections closed without an answer while the guest boots, counting its attempts', async () => {
    const udsPath = join(dir, 'v.sock');
    const g = guest({ bootDelayMs: 600 });
    await g.listenVsock(udsPath);
    g.boot({ agentPort: AGENT_VSOCK_PORT, serialPath: null });
    const dialled = await dialVsock({
      udsPath,
      port: AGENT_VSOCK_PORT,
      timeoutMs: 15_000,
      retryIntervalMs: 50,
    });
    cleanups.push(() => dialled.socket.destroy());
    expect(dialled.attempts).toBeGreaterThan(3);
    expect(dialled.hostPort).toBeGreaterThanOrEqual(2 ** 30);
  });

  it('gives up on a guest that never answers, by its deadline, naming the last failure', async () => {
    const udsPath = join(dir, 'v.sock');
    const g = guest();
    await g.listenVsock(udsPath); // booted never: every connection is reset
    const started = Date.now();
    const error = await connectVsockAgent({ udsPath, port: AGENT_VSOCK_PORT, timeoutMs: 800 }).catch(
      (e: unknown) => e,
    );
    expect(isAetherError(error, 'ERR_AGENT_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(/closed without an answer/);
    expect(Date.now() - started).toBeLessThan(3_000);

    const missing = await dialVsock({ udsPath: join(dir, 'none.sock'), port: 1, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect((missing as Error).message).toMatch(/none\.sock: ENOENT/);
  });

  it('bounds each attempt when the guest holds the connection without a word, then gets through', async () => {
    const udsPath = join(dir, 'v.sock');
    const g = guest({ whileBooting: 'silent', bootDelayMs: 800 });
    await g.listenVsock(udsPath);
    g.boot({ agentPort: AGENT_VSOCK_PORT, serialPath: null });
    const agent = await agentFor(
      connectVsockAgent({ udsPath, port: AGENT_VSOCK_PORT, timeoutMs: 15_000, attemptTimeoutMs: 300 }),
    );
    expect((await agent.ping()).version).toMatch(/\d/);
  });

  it('connects only to the port the guest listens on', async () => {
    const udsPath = join(dir, 'v.sock');
    const g = guest({ bootDelayMs: 0 });
    await g.listenVsock(udsPath);
    g.boot({ agentPort: AGENT_VSOCK_PORT, serialPath: null });
    await agentFor(connectVsockAgent({ udsPath, port: AGENT_VSOCK_PORT, timeoutMs: 15_000 }));
    const other = await dialVsock({ udsPath, port: 10_000, timeoutMs: 400 }).catch((e: unknown) => e);
    expect((other as Error).message).toMatch(/vsock port 10000 .*closed without an answer/);
  });

  it('keeps bytes that arrive in the same chunk as the OK line', async () => {
    const udsPath = join(dir, 'raw.sock');
    const server: Server = createServer((socket) => {
      socket.once('data', (line) => {
        expect(line.toString()).toBe('CONNECT 52\n');
        socket.write('OK 1073741830\nfirst bytes');
        socket.end(' and more');
      });
    });
    await new Promise<void>((resolve) => server.listen(udsPath, resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { socket, hostPort } = await dialVsock({ udsPath, port: 52, timeoutMs: 2_000 });
    expect(hostPort).toBe(1_073_741_830);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.resume();
    await new Promise((resolve) => socket.once('end', resolve));
    expect(Buffer.concat(chunks).toString()).toBe('first bytes and more');
  });

  it('refuses a symlink in place of the vsock socket', async () => {
    const g = guest();
    await g.listenVsock(join(dir, 'real.sock'));
    symlinkSync(join(dir, 'real.sock'), join(dir, 'v.sock'));
    const error = await dialVsock({ udsPath: join(dir, 'v.sock'), port: 1, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/is a symlink \(refused\)/);
  });
});
