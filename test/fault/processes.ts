/**
 * Small process helpers for the fault test: free ports, argv-only command runs with a deadline,
 * polling, and a last-resort sweep of processes that name this run's private directory.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CommandResult, runCommand } from '../support/run-command.js';

export { type CommandResult, runCommand, sleep };

/** A TCP port nothing listens on right now (the kernel's pick; a small race is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Throws with the command's output unless it exited 0. */
export async function runChecked(
  argv: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const result = await runCommand(argv, options);
  if (result.code !== 0) {
    throw new Error(
      `${argv.join(' ')} exited ${result.code ?? result.signal}\n${result.stdout}\n${result.stderr}`.trim(),
    );
  }
  return result;
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids (other than ours) whose command line mentions `marker`, e.g. this run's temp directory. */
export function pidsMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) pids.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/**
 * Last resort after the orderly shutdown: SIGKILL every process whose command line names this
 * run's private directory (sandboxes of our VMs, our postgres and redis-server). Only processes
 * started by this run can name that freshly made directory. Returns what it killed.
 */
export async function sweepProcessesMentioning(marker: string): Promise<number[]> {
  const found = pidsMentioning(marker);
  for (const pid of found) {
    try {
      process.kill(-pid, 'SIGKILL'); // sandboxes lead their own process group
    } catch {
      // Not a group leader.
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (found.length > 0) {
    await waitFor('swept processes to exit', () => !found.some(isAlive), 5_000).catch(() => {});
  }
  return found;
}
