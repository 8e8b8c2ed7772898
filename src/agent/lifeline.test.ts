/** The agent's lifeline on its stdin: EOF ends the agent, a released line leaves it serving. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { AgentClient } from '../protocol/client.js';

const running: { child: ChildProcess; dir: string }[] = [];

async function agentWithLifeline(): Promise<{ child: ChildProcess; socket: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'aether-lifeline-'));
  const socket = join(dir, 'agent.sock');
  const child = spawn(
    process.execPath,
    [inject('agentBundlePath'), '--listen', socket, '--home', dir, '--lifeline-fd', '0'],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: '/usr/bin:/bin' } },
  );
  running.push({ child, dir });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(chunk.toString()).toContain('ready');
  return { child, socket };
}

afterEach(async () => {
  for (const { child, dir } of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('agent lifeline', () => {
  it('shuts the agent down when the other end closes', async () => {
    const { child } = await agentWithLifeline();
    const exited = once(child, 'exit');
    child.stdin!.destroy();
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });

  it('lets go once released: the agent keeps serving after the other end closes', async () => {
    const { child, socket } = await agentWithLifeline();
    child.stdin!.end('\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(child.exitCode).toBeNull();
    const connection = connect(socket);
    await once(connection, 'connect');
    const client = new AgentClient(connection);
    try {
      await client.ping();
    } finally {
      await client.close();
    }
  });
});
