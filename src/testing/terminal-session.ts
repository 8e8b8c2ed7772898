/**
 * A terminal exec driven as a person would in tests: type into it, wait for what it prints,
 * resize it, and read how it ended. Works over anything with the driver's exec signature (an
 * AgentClient, a VmDriver bound to a VM).
 */
import { PassThrough } from 'node:stream';
import type { ExecOutput, ExecRequest, ExecResult, RunningCommand, TerminalSize } from '../core/driver.js';

export type RunExec = (request: ExecRequest, output: ExecOutput, signal?: AbortSignal) => Promise<ExecResult>;

export interface TerminalSession {
  /** Everything the terminal printed so far, as text (the pty's \r\n line ends included). */
  readonly output: string;
  /** Resolves once the command runs, with what `onStarted` gave. */
  readonly started: Promise<RunningCommand>;
  /** Settles with the exec. */
  readonly result: Promise<ExecResult>;
  /** Sends keystrokes (bytes as given: "\x03" is Ctrl-C). */
  type(text: string): void;
  /** Closes stdin. */
  endInput(): void;
  /** Resolves once the output (from `from` on) matches; rejects with the output after `timeoutMs`. */
  waitFor(pattern: RegExp | string, options?: { from?: number; timeoutMs?: number }): Promise<string>;
  resize(size: TerminalSize): Promise<void>;
}

export function openTerminal(
  run: RunExec,
  request: Omit<ExecRequest, 'stdin' | 'tty'> & { tty: TerminalSize },
  signal?: AbortSignal,
): TerminalSession {
  const keys = new PassThrough();
  let output = '';
  const decoder = new TextDecoder();
  const watchers = new Set<() => void>();
  let onStarted: (command: RunningCommand) => void = () => {};
  const started = new Promise<RunningCommand>((resolve) => {
    onStarted = resolve;
  });
  const result = run(
    { ...request, stdin: keys },
    {
      onStarted: (command) => onStarted(command),
      onStdout: (chunk) => {
        output += decoder.decode(chunk, { stream: true });
        for (const wake of watchers) wake();
      },
    },
    signal,
  );
  result
    .catch(() => {})
    .finally(() => {
      keys.destroy();
      for (const wake of watchers) wake();
    });
  return {
    get output() {
      return output;
    },
    started,
    result,
    type: (text) => {
      keys.write(text);
    },
    endInput: () => {
      keys.end();
    },
    waitFor: (pattern, options = {}) => {
      const { from = 0, timeoutMs = 10_000 } = options;
      const matches = () => {
        const seen = output.slice(from);
        return typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen);
      };
      return new Promise<string>((resolve, reject) => {
        if (matches()) return resolve(output);
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(
            new Error(
              `terminal output did not match ${String(pattern)} within ${timeoutMs} ms: ${JSON.stringify(output)}`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          if (!matches()) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve(output);
        };
        watchers.add(check);
      });
    },
    resize: async (size) => {
      const command = await started;
      command.resize?.(size);
    },
  };
}

/** Asks `stty size` until the terminal reports `size` (a resize has no reply to wait for). */
export async function sizeBecomes(term: TerminalSession, size: TerminalSize): Promise<void> {
  const wanted = new RegExp(`\\n${size.rows} ${size.cols}\\r\\n`);
  for (let attempt = 0; ; attempt++) {
    const from = term.output.length;
    term.type('stty size\n');
    try {
      await term.waitFor(wanted, { from, timeoutMs: 2000 });
      return;
    } catch (error) {
      if (attempt >= 9) throw error;
    }
  }
}
