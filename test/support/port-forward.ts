import { spawn } from 'node:child_process';
import { CLI_ENTRY } from './run-cli.js';

/** Starts `aether port-forward VM :PORT --json` and resolves with the local port once it listens. */
export async function portForward(url: string, vm: string, port: number, token = '') {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI_ENTRY, 'port-forward', vm, `:${port}`, '--json'],
    {
      env: { ...process.env, AETHER_URL: url, AETHER_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => {
    err += c;
  });
  const local = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      try {
        resolve((JSON.parse(out) as { forwarding: { local_port: number }[] }).forwarding[0]!.local_port);
      } catch {
        // Not all of it yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`port-forward exited ${code}: ${err}`)));
  });
  return { local, stop: () => child.kill('SIGTERM'), stderr: () => err };
}
