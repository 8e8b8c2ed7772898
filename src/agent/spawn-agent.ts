/**
 * Runs the agent bundle as a plain host process — no sandbox. For tests of the protocol and the
 * agent itself; drivers boot it inside their VMs instead.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

export interface SpawnedAgent {
  socketPath: string;
  child: ChildProcess;
  /** Stderr collected so far (the agent logs there). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface SpawnedSerialAgent extends Omit<SpawnedAgent, 'socketPath'> {
  /** Our end of the agent's serial line: a socket pair standing in for a virtio-serial port. */
  line: Duplex;
}

/** The agent listening on `dir`/agent.sock. */
export async function spawnAgent(bundlePath: string, dir: string, timeoutMs = 10_000): Promise<SpawnedAgent> {
  const socketPath = join(dir, 'agent.sock');
  const agent = await start(bundlePath, ['--listen', socketPath, '--home', dir], {}, timeoutMs);
  return { ...agent, socketPath };
}

/**
 * The agent in serial mode on descriptor 3, one end of a socket pair (what Node gives a child
 * for a 'pipe' stdio slot): read and written by the same fs calls as a virtio-serial port, with
 * the same blocking reads; only opening the device differs.
 */
export async function spawnSerialAgent(
  bundlePath: string,
  dir: string,
  options: { uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<SpawnedSerialAgent> {
  const { timeoutMs = 10_000, ...ids } = options;
  const agent = await start(bundlePath, ['--serial-fd', '3', '--home', dir], ids, timeoutMs, true);
  return { ...agent, line: agent.child.stdio[3] as Duplex };
}

async function start(
  bundlePath: string,
  args: string[],
  extra: Pick<SpawnOptions, 'uid' | 'gid'>,
  timeoutMs: number,
  serialPipe = false,
): Promise<Omit<SpawnedAgent, 'socketPath'>> {
  const child = spawn(process.execPath, [bundlePath, ...args], {
    ...extra,
    stdio: serialPipe ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`agent not ready after ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (text.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited with ${code}: ${stderr}`));
    });
  });
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
