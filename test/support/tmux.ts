/**
 * A real terminal for tests: a tmux window on a private server socket, running bash with the
 * CLI on its PATH as `aether`. Tests type with `send`/`keys`, read the screen with `screen` and
 * `waitFor`, and resize the window as a user would.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_ENTRY } from './run-cli.js';

export function tmuxAvailable(): boolean {
  return spawnSync('tmux', ['-V']).status === 0;
}

export class TmuxTerminal {
  private constructor(
    private readonly socket: string,
    private readonly dir: string,
  ) {}

  /** Starts bash (no profile) in a `cols`×`rows` window with `aether` on its PATH. */
  static start(env: Record<string, string>, size = { cols: 100, rows: 30 }): TmuxTerminal {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aether-tmux-'));
    const wrapper = path.join(dir, 'aether');
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" --import tsx "${CLI_ENTRY}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const socket = `aether-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const terminal = new TmuxTerminal(socket, dir);
    // The server takes its environment from the client that starts it.
    terminal.tmux(
      [
        'new-session',
        '-d',
        '-s',
        'main',
        '-x',
        String(size.cols),
        '-y',
        String(size.rows),
        'bash --norc --noprofile',
      ],
      {
        ...process.env,
        ...env,
        PATH: `${dir}:${process.env.PATH}`,
        PS1: 'local$ ',
        TERM: 'xterm-256color',
        // tsx resolves its loader from the repository, wherever the pane's cwd is.
        NODE_PATH: path.join(process.cwd(), 'node_modules'),
      },
    );
    // The window keeps the size given rather than following (absent) clients.
    terminal.tmux(['set-option', '-t', 'main', 'window-size', 'manual']);
    return terminal;
  }

  /** Types `text` literally, then Enter. */
  send(text: string): void {
    this.tmux(['send-keys', '-t', 'main', '-l', text]);
    this.tmux(['send-keys', '-t', 'main', 'Enter']);
  }

  /** Presses keys by tmux name (`C-c`, `C-p`, `Enter`). */
  keys(...names: string[]): void {
    this.tmux(['send-keys', '-t', 'main', ...names]);
  }

  /** What the screen shows now, with the scrollback. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-200', '-t', 'main']);
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.screen().match(pattern);
      if (match) return match;
      if (Date.now() > deadline) {
        throw new Error(
          `the screen never showed ${pattern} within ${timeoutMs} ms; it shows:\n${this.screen()}`,
        );
      }
      await sleep(100);
    }
  }

  resize(cols: number, rows: number): void {
    this.tmux(['resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows)]);
  }

  clear(): void {
    this.tmux(['send-keys', '-t', 'main', '-R']);
    this.tmux(['clear-history', '-t', 'main']);
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private tmux(args: string[], env?: NodeJS.ProcessEnv): string {
    const result = spawnSync('tmux', ['-L', this.socket, ...args], {
      encoding: 'utf8',
      env: env ?? process.env,
    });
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  }
}
