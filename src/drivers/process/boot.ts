/**
 * Spawning a sandbox. It runs detached in its own session, so it outlives this host process; its
 * stdout/stderr are pipes we read only while booting (the agent prints "ready" once it listens,
 * setup errors land on stderr) and then close, so a guest has no unbounded host-side sink. A
 * sandbox booted with a lifeline (a warm-pool member) gets a socket pair as stdin instead of
 * /dev/null, and dies with this process until the lifeline is released (shared/lifeline.ts).
 */
import { spawn } from 'node:child_process';
import { AetherError } from '../../core/errors.js';
import { childrenOf, signalGroup } from '../shared/host-proc.js';
import { Lifeline } from '../shared/lifeline.js';
import type { SandboxCommand } from './sandbox-command.js';
import { SANDBOX_ENV } from './settings.js';

export interface SpawnSandboxOptions {
  command: SandboxCommand;
  /** Identity to spawn with when the host is root. */
  ids: { uid: number; gid: number } | null;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Give the sandbox a lifeline on its stdin (its agent must be told `--lifeline-fd 0`). */
  lifeline?: boolean;
}

export interface BootedSandbox {
  pid: number;
  initPid: number | null;
}

export interface BootResult extends BootedSandbox {
  /** Set when asked for: the sandbox dies with this process until it is released. */
  lifeline: Lifeline | null;
}

const STDERR_LIMIT = 8 * 1024;

/**
 * Boots a sandbox whose init prints "ready". `onSpawn` runs as soon as the pid is known (record it
 * before waiting, so a crash of this host mid-boot leaves something `stop` can find).
 */
export function bootSandbox(
  options: SpawnSandboxOptions,
  onSpawn: (pid: number) => Promise<void>,
): Promise<BootResult> {
  return new Promise<BootResult>((resolve, reject) => {
    const child = spawn(options.command.command, options.command.args, {
      detached: true,
      stdio: [options.lifeline ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: SANDBOX_ENV,
      cwd: '/',
      ...(options.ids ?? {}),
    });
    const recorded = child.pid === undefined ? Promise.resolve() : onSpawn(child.pid);
    let stderr = '';
    let stdout = '';
    let settled = false;
    const finish = (error: unknown, booted?: BootedSandbox) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
      if (error !== undefined) {
        child.stdin?.destroy();
        if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
        reject(error);
      } else {
        const lifeline = child.stdin ? new Lifeline(child.stdin) : null;
        // Resolve only once the pid is on disk, so the caller's later write cannot be overtaken.
        recorded.then(
          () => resolve({ ...booted!, lifeline }),
          (recordError: unknown) => {
            lifeline?.cut();
            reject(recordError);
          },
        );
      }
    };
    const onAbort = () => finish(options.signal?.reason);
    const timer = setTimeout(
      () =>
        finish(
          new AetherError(
            'ERR_VM_BOOT_TIMEOUT',
            `agent not ready after ${options.timeoutMs} ms${tail(stderr)}`,
          ),
        ),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    recorded.catch((error) => finish(error));

    child.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code === 'ENOENT' ? 'ERR_ISOLATION_UNAVAILABLE' : 'ERR_DRIVER_FAILED';
      finish(
        new AetherError(code, `cannot run ${options.command.command}: ${error.message}`, { cause: error }),
      );
    });
    child.once('exit', (code, signal) => {
      finish(
        new AetherError(
          'ERR_DRIVER_FAILED',
          `sandbox exited during boot (${signal ?? `code ${code}`})${tail(stderr)}`,
        ),
      );
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += text.slice(0, STDERR_LIMIT - stderr.length);
    });
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      stdout = (stdout + text).slice(-64);
      if (!stdout.includes('ready\n') || child.pid === undefined) return;
      const pid = child.pid;
      // The tool's only child is the namespace's PID 1 (unshare --fork; bwrap's init).
      finish(undefined, { pid, initPid: childrenOf(pid)[0] ?? null });
    });
  });
}

function tail(stderr: string): string {
  const text = stderr.trim();
  return text ? `: ${text.slice(-2000)}` : '';
}

/** Runs a sandbox whose init exits at once; resolves with stderr on failure, null on success. */
export function probeSandbox(
  command: SandboxCommand,
  ids: { uid: number; gid: number } | null,
  timeoutMs: number,
): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(command.command, command.args, {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: SANDBOX_ENV,
      cwd: '/',
      ...(ids ?? {}),
    });
    let stderr = '';
    const timer = setTimeout(() => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      resolve(`timed out after ${timeoutMs} ms`);
    }, timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += text;
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? null : stderr.trim() || `exited with ${signal ?? `code ${code}`}`);
    });
  });
}
