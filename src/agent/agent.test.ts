/** The agent never crashes on bad input: raw frames over its socket, checked reply by reply. */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AgentClient } from '../protocol/client.js';
import { encodeFrame, FrameDecoder } from '../protocol/framing.js';
import { type SpawnedAgent, spawnAgent } from './spawn-agent.js';

/** A raw connection: send bytes, read decoded replies. */
async function raw(path: string) {
  const socket: Socket = connect(path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const decoder = new FrameDecoder();
  const replies: unknown[] = [];
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk) => {
    for (const event of decoder.push(chunk)) if (event.kind === 'frame') replies.push(event.value);
    for (const w of waiters.splice(0)) w();
  });
  return {
    socket,
    send: (bytes: Buffer) => socket.write(bytes),
    async next(): Promise<Record<string, unknown>> {
      while (replies.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return replies.shift() as Record<string, unknown>;
    },
  };
}

function frameOf(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

describe('agent input handling', () => {
  let dir: string;
  let agent: SpawnedAgent;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-agent-'));
    agent = await spawnAgent(inject('agentBundlePath'), dir);
  });

  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers malformed frames with ERR_AGENT_PROTOCOL and keeps serving the connection', async () => {
    const c = await raw(agent.socketPath);
    c.send(frameOf('{nope'));
    expect(await c.next()).toMatchObject({ type: 'error', id: '?', code: 'ERR_AGENT_PROTOCOL' });
    c.send(frameOf('[]'));
    expect(await c.next()).toMatchObject({ type: 'error', id: '?', code: 'ERR_AGENT_PROTOCOL' });
    c.send(encodeFrame({ type: 'format-disk', id: 'x1' }));
    expect(await c.next()).toMatchObject({ type: 'error', id: 'x1', code: 'ERR_AGENT_PROTOCOL' });
    c.send(encodeFrame({ type: 'exec', id: 'x2', argv: 'rm -rf /', timeoutMs: 10 }));
    expect(await c.next()).toMatchObject({ type: 'error', id: 'x2', code: 'ERR_AGENT_PROTOCOL' });
    c.send(encodeFrame({ type: 'signal', id: 'nobody', signal: 'SIGKILL' })); // unknown exec: ignored
    c.send(encodeFrame({ type: 'ping', id: 'p' }));
    expect(await c.next()).toMatchObject({ type: 'pong', id: 'p' });
    c.socket.destroy();
  });

  it('refuses a duplicate exec id while the first is running', async () => {
    const c = await raw(agent.socketPath);
    c.send(encodeFrame({ type: 'exec', id: 'd', argv: ['sleep', '0.3'], timeoutMs: 5000 }));
    expect(await c.next()).toMatchObject({ type: 'started', id: 'd' });
    c.send(encodeFrame({ type: 'exec', id: 'd', argv: ['true'], timeoutMs: 5000 }));
    expect(await c.next()).toMatchObject({ type: 'error', id: 'd', code: 'ERR_AGENT_PROTOCOL' });
    expect(await c.next()).toMatchObject({ type: 'exit', id: 'd', code: 0 });
    c.socket.destroy();
  });

  it('hangs up after an oversized frame (it cannot resync) but stays up for others', async () => {
    const c = await raw(agent.socketPath);
    c.send(Buffer.from([0x7f, 0, 0, 0]));
    expect(await c.next()).toMatchObject({ type: 'error', code: 'ERR_AGENT_PROTOCOL' });
    await new Promise((resolve) => c.socket.once('close', resolve));
    const client = new AgentClient(connect(agent.socketPath));
    await expect(client.ping()).resolves.toMatchObject({ version: 'aether-agent/3' });
    await client.close();
  });

  it('kills the commands of a connection that goes away', async () => {
    const c = await raw(agent.socketPath);
    c.send(encodeFrame({ type: 'exec', id: 'k', argv: ['sleep', '30'], timeoutMs: 60_000 }));
    const started = await c.next();
    const pid = started.pid as number;
    c.socket.destroy();
    const deadline = Date.now() + 5000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
    expect(agent.child.exitCode).toBeNull();
  });
});
