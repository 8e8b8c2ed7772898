/**
 * How the builder runs host programs: argv arrays, never a shell string; stdout and stderr
 * read as lines (debootstrap reports on both); the last lines kept for the error message. An
 * interface so a test can prove a cached build runs nothing at all.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Every output line, stdout and stderr interleaved as they arrive, without the newline. */
  onLine?: (line: string) => void;
  /** Aborting kills the program and everything it started (its process group). */
  signal?: AbortSignal | undefined;
  /** How many of the last output lines to keep; default 50. */
  tailLines?: number;
}

export interface RunResult {
  /** Null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last `tailLines` lines of output. */
  tail: string[];
}

export interface CommandRunner {
  /** Resolves when `file` has exited, whatever its status; rejects only if it could not start. */
  run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult>;
}

/** Splits a byte stream into lines, holding a partial last line until its newline arrives. */
function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line.replace(/\r$/, ''));
    },
    end() {
      if (pending) emit(pending.replace(/\r$/, ''));
      pending = '';
    },
  };
}

/** The real runner: child_process.spawn in its own process group, so an abort reaches dpkg too. */
export function createSpawnRunner(): CommandRunner {
  return {
    run(file, args, options) {
      return new Promise((resolve, reject) => {
        const keep = options.tailLines ?? 50;
        const tail: string[] = [];
        const onLine = (line: string) => {
          tail.push(line);
          if (tail.length > keep) tail.shift();
          options.onLine?.(line);
        };
        const child = spawn(file, [...args], {
          env: options.env,
          cwd: options.cwd,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        const out = lineSplitter(onLine);
        const err = lineSplitter(onLine);
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        const kill = () => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
          } catch {
            // Already gone.
          }
        };
        if (options.signal?.aborted) kill();
        options.signal?.addEventListener('abort', kill, { once: true });
        child.once('error', (error) => {
          options.signal?.removeEventListener('abort', kill);
          reject(error);
        });
        child.once('close', (exitCode, signal) => {
          options.signal?.removeEventListener('abort', kill);
          out.end();
          err.end();
          resolve({ exitCode, signal, tail });
        });
      });
    },
  };
}
