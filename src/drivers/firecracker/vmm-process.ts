/**
 * The VMM as a host process: started detached in its own process group (it outlives the worker
 * process, and a group kill also ends anything it started), its output going to a file, found
 * again later by pid only while it is the same process (start time) and names the VM.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { AetherError } from '../../core/errors.js';
import { cmdline, isAlive, signalGroup, signalPid, startTime, waitForExit } from '../shared/host-proc.js';
import { VMM_PATH } from './executables.js';
import type { VmmLaunch, VmmSpawner } from './settings.js';

const KILL_WAIT_MS = 5_000;

/** What the VMM sees of our environment: nothing but these. */
export const VMM_ENV: Readonly<Record<string, string>> = Object.freeze({ PATH: VMM_PATH, LANG: 'C.UTF-8' });

export const defaultSpawner: VmmSpawner = (launch) =>
  spawn(launch.binary, launch.args, {
    detached: true,
    stdio: ['ignore', launch.outputFd, launch.outputFd],
    env: launch.env,
    cwd: launch.cwd,
  });

export interface StartedVmm {
  pid: number;
  /** With the pid, the process's identity (a recycled pid has another start time). */
  startTime: string | null;
  /** How it ended (`code 1`, `SIGKILL`), while this process watches it; null while it runs. */
  exited(): string | null;
}

/** Spawns the VMM with stdout and stderr in `outputPath` (truncated). */
export async function startVmm(
  spawner: VmmSpawner,
  launch: Omit<VmmLaunch, 'outputFd'> & { outputPath: string },
): Promise<StartedVmm> {
  const outputFd = openSync(launch.outputPath, 'w', 0o600);
  let child: ReturnType<VmmSpawner>;
  try {
    child = spawner({ binary: launch.binary, args: launch.args, cwd: launch.cwd, env: launch.env, outputFd });
  } finally {
    closeSync(outputFd);
  }
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = signal ?? `code ${code}`;
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(
        new AetherError('ERR_ISOLATION_UNAVAILABLE', `cannot run ${launch.binary}: ${error.message}`, {
          cause: error,
        }),
      ),
    ),
  );
  spawnError.catch(() => {});
  if (child.pid === undefined) await spawnError;
  child.unref();
  const pid = child.pid!;
  return { pid, startTime: startTime(pid), exited: () => exited };
}

/** True while `recorded` is alive, the same process, and its command line names `vmId`. */
export function isVmmOf(recorded: { pid: number; startTime: string | null }, vmId: string): boolean {
  if (!isAlive(recorded.pid)) return false;
  if (recorded.startTime !== null && startTime(recorded.pid) !== recorded.startTime) return false;
  // Unjailed: `--id <id>`; the jailer: `--id <id>`, and after its exec firecracker's `--id=<id>`.
  return cmdline(recorded.pid)?.some((arg) => arg === vmId || arg === `--id=${vmId}`) ?? false;
}

/** SIGKILLs the VMM's process group and waits until it is gone. */
export async function killVmm(pid: number, vmId: string): Promise<void> {
  signalGroup(pid, 'SIGKILL');
  signalPid(pid, 'SIGKILL');
  if (!(await waitForExit([pid], KILL_WAIT_MS))) {
    throw new AetherError('ERR_DRIVER_FAILED', `Firecracker of VM ${vmId} (pid ${pid}) survived SIGKILL`);
  }
}
