/**
 * Streamed stdin and signals through `onStarted`: AgentClient against the real agent bundle over
 * a Unix socket, with real commands reading (or not reading) their stdin.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SpawnedAgent, spawnAgent } from '../agent/spawn-agent.js';
import type { RunningCommand } from '../core/driver.js';
import { AgentClient } from './client.js';
import { INITIAL_WINDOW_BYTES } from './messages.js';

const MiB = 1024 * 1024;
const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('streamed stdin and signals against the real agent', () => {
  let dir: string;
  let agent: SpawnedAgent;
  let client: AgentClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-stdin-'));
    agent = await spawnAgent(inject('agentBundlePath'), dir);
    const socket = connect(agent.socketPath);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    client = new AgentClient(socket);
  });

  afterAll(async () => {
    await client?.close();
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('feeds 50 MiB of stdin to sha256sum intact', async () => {
    const hash = createHash('sha256');
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 50; i++) {
        const chunk = Buffer.alloc(MiB, i);
        hash.update(chunk);
        yield chunk;
      }
    }
    const out: Uint8Array[] = [];
    const result = await client.exec(
      { argv: ['sha256sum'], stdin: source(), timeoutMs: 60_000 },
      { onStdout: (c) => void out.push(c) },
    );
    expect(result.exitCode).toBe(0);
    expect(text(out).split(' ')[0]).toBe(hash.digest('hex'));
  });

  it('never sends more than the window to a command that does not read, and stops the source at exit', async () => {
    let pulled = 0;
    let closed = false;
    async function* endless(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          pulled += 64 * 1024;
          yield Buffer.alloc(64 * 1024);
        }
      } finally {
        closed = true;
      }
    }
    const result = await client.exec({ argv: ['sleep', '1'], stdin: endless(), timeoutMs: 10_000 });
    expect(result.exitCode).toBe(0);
    // The window, what the pipe took (64 KiB by default, more where raised), the chunk in hand.
    expect(pulled).toBeLessThanOrEqual(INITIAL_WINDOW_BYTES + 512 * 1024);
    await expect.poll(() => closed).toBe(true);
  });

  it('closes stdin when the source throws, and lets the command decide', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('12345');
      throw new Error('upstream went away');
    }
    const out: Uint8Array[] = [];
    const result = await client.exec(
      { argv: ['wc', '-c'], stdin: broken(), timeoutMs: 10_000 },
      { onStdout: (c) => void out.push(c) },
    );
    expect(result.exitCode).toBe(0);
    expect(text(out).trim()).toBe('5');
  });

  it('ends stdin with the source, for a command that reads to EOF', async () => {
    async function* lines(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('b\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      yield Buffer.from('a\n');
    }
    const out: Uint8Array[] = [];
    await client.exec(
      { argv: ['sort'], stdin: lines(), timeoutMs: 10_000 },
      { onStdout: (c) => void out.push(c) },
    );
    expect(text(out)).toBe('a\nb\n');
  });

  it('signals the whole tree through onStarted, a setsid grandchild too', async () => {
    const pids = join(dir, 'signal.pids');
    let command: RunningCommand | null = null;
    const result = await client.exec(
      {
        argv: ['sh', '-c', `setsid sleep 301 & echo $! > ${pids}; echo ready; wait`],
        timeoutMs: 30_000,
      },
      {
        onStarted: (c) => {
          command = c;
        },
        onStdout: (chunk) => {
          if (Buffer.from(chunk).toString().includes('ready')) command?.signal('SIGTERM');
        },
      },
    );
    expect(command!.pid).toBeGreaterThan(1);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
    const grandchild = Number(readFileSync(pids, 'utf8'));
    await expect.poll(() => alive(grandchild), { timeout: 3000 }).toBe(false);
    expect(() => command!.signal('SIGKILL')).not.toThrow(); // after the exit: nothing to do
    expect(() => command!.signal('SIGSTOP' as never)).toThrow(/unknown signal/);
  });
});
