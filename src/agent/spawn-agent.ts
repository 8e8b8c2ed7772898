/**
 * Runs the agent bundle as a plain host process listening on a Unix socket — no sandbox. For
 * tests of the protocol and the agent itself; drivers boot it inside their VMs instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export interface SpawnedAgent {
  socketPath: string;
  child: ChildProcess;
  /** Stderr collected so far (the agent logs there). */
  stderr(): string;
  stop(): Promise<void>;
}

export async function spawnAgent(bundlePath: string, dir: string, timeoutMs = 10_000): Promise<SpawnedAgent> {
  const socketPath = join(dir, 'agent.sock');
  const child = spawn(process.execPath, [bundlePath, '--listen', socketPath, '--home', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
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
    socketPath,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
