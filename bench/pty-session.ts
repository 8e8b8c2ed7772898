/**
 * A command under a real pseudo-terminal, driven from pipes: util-linux `script -qfec CMD
 * /dev/null` gives the command a pty of its own (so `aether shell` and `docker exec -it` both go
 * raw, as in a user's terminal) and relays our writes to it and its output to us at once (`-f`).
 * Both sides of a comparison run under the same relay, so its cost is in each figure alike.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';

const EXIT_WAIT_MS = 10_000;

/** `argv` as one POSIX shell word list, each word single-quoted (script runs it with `sh -c`). */
export function shellWords(argv: readonly string[]): string {
  return argv.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
}

export class PtySession {
  readonly #child: ChildProcessWithoutNullStreams;
  #output = Buffer.alloc(0);
  #waiter: (() => void) | null = null;
  readonly #exited: Promise<void>;

  /**
   * Runs `argv` on a pty of `size` (a pty opened from pipes has no size of its own, and a shell
   * on a 0×0 terminal draws its line editor oddly).
   */
  constructor(argv: readonly string[], env: NodeJS.ProcessEnv, size = { cols: 120, rows: 40 }) {
    const command = `stty cols ${size.cols} rows ${size.rows} && exec ${shellWords(argv)}`;
    this.#child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: 'pipe' });
    this.#exited = once(this.#child, 'exit').then(() => {});
    this.#child.stdout.on('data', (chunk: Buffer) => {
      this.#output = Buffer.concat([this.#output, chunk]);
      this.#waiter?.();
    });
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#output = Buffer.concat([this.#output, chunk]);
      this.#waiter?.();
    });
  }

  /** How many bytes of output so far: a mark to search from. */
  get mark(): number {
    return this.#output.length;
  }

  /** The output since `from`, for error messages. */
  textSince(from: number): string {
    return this.#output.subarray(from).toString();
  }

  write(bytes: string | Buffer): void {
    this.#child.stdin.write(bytes);
  }

  /** Resolves once the output past `from` holds `needle`; rejects after `timeoutMs` or on exit. */
  async waitFor(needle: string | Buffer, from: number, timeoutMs: number): Promise<void> {
    const found = () => this.#output.indexOf(needle, from) !== -1;
    if (found()) return;
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.#waiter = null;
        this.#child.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `no ${JSON.stringify(needle.toString())} within ${timeoutMs} ms; output: ${JSON.stringify(this.textSince(from).slice(-500))}`,
            ),
          ),
        timeoutMs,
      );
      const onExit = (code: number | null) =>
        finish(
          new Error(`the terminal exited (${code}): ${JSON.stringify(this.textSince(from).slice(-500))}`),
        );
      this.#waiter = () => {
        if (found()) finish();
      };
      this.#child.once('exit', onExit);
    });
  }

  /** Types `line` and Enter, the way a user ends a command. */
  typeLine(line: string): void {
    this.write(`${line}\r`);
  }

  /** Ends the shell with `exit`, then the relay; kills it when it lingers. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.typeLine('exit');
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), EXIT_WAIT_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}
