import { spawn } from 'node:child_process';
import { AetherError } from '../../core/errors.js';
import { QEMU_ENV } from './settings.js';

/** A QEMU started in its own process group, outliving the worker that started it. */
export interface QemuProcess {
  pid: number;
  /** The last 4000 characters QEMU wrote to stderr (why it refused, usually). */
  stderr(): string;
  /** How it ended (`code 1`, `SIGKILL`), or null while it runs. */
  exited(): string | null;
}

/** Spawns `binary args` detached in `cwd`; ERR_ISOLATION_UNAVAILABLE when it cannot start at all. */
export async function spawnQemu(binary: string, args: readonly string[], cwd: string): Promise<QemuProcess> {
  const child = spawn(binary, [...args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: QEMU_ENV,
    cwd,
  });
  let stderr = '';
  let exited: string | null = null;
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  child.once('exit', (code, sig) => {
    exited = sig ?? `code ${code}`;
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  if (child.pid === undefined) {
    const error = await spawnError;
    throw new AetherError('ERR_ISOLATION_UNAVAILABLE', `cannot run ${binary}: ${error.message}`, {
      cause: error,
    });
  }
  child.unref();
  return { pid: child.pid, stderr: () => stderr, exited: () => exited };
}
