/**
 * A small Node server from source, in a process of its own (`node -e SOURCE ARGS…`), that prints
 * `listening <port>` once bound on loopback: resolves with that port and a stop.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface ListeningProcess {
  port: number;
  stop(): Promise<void>;
}

export async function startListeningProcess(source: string, args: string[]): Promise<ListeningProcess> {
  const child = spawn(process.execPath, ['-e', source, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = once(child, 'exit');
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  const [line] = (await Promise.race([once(child.stdout, 'data'), exited])) as [Buffer | number];
  const port = Buffer.isBuffer(line) ? /^listening (\d+)/.exec(line.toString())?.[1] : undefined;
  if (!port) {
    await stop();
    throw new Error(`a bench server did not start: ${String(line)}`);
  }
  return { port: Number(port), stop };
}
