/**
 * `aether port-forward VM :PORT --json` as a user runs it, in a process of its own: resolves
 * once it listens, with the local address it printed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const READY_MS = 30_000;
const STOP_MS = 10_000;

interface Forwarding {
  address: string;
  local_port: number;
  remote_port: number;
}

export interface PortForwardProcess {
  /** `http://<address>:<local port>/`. */
  url: string;
  pid: number;
  /** SIGTERM (as Ctrl-C would), then waits for the exit; SIGKILL when it lingers. */
  stop(): Promise<void>;
}

export async function startPortForward(
  bin: string,
  vm: string,
  remotePort: number,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Promise<PortForwardProcess> {
  const child = spawn(process.execPath, [...nodeArgs, bin, 'port-forward', vm, `:${remotePort}`, '--json'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    const printed = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(
        () => reject(new Error(`port-forward did not listen in ${READY_MS} ms`)),
        READY_MS,
      );
      // One JSON document, maybe over several lines and chunks: complete once it parses.
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        try {
          JSON.parse(stdout);
        } catch {
          return;
        }
        clearTimeout(timer);
        resolve(stdout);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`port-forward exited (${code}): ${stderr}`));
      });
    });
    const [forwarding] = (JSON.parse(printed) as { forwarding: Forwarding[] }).forwarding;
    if (!forwarding) throw new Error(`port-forward printed no address: ${printed}`);
    return { url: `http://${forwarding.address}:${forwarding.local_port}/`, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
