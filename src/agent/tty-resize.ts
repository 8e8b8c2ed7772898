/**
 * Resizing a terminal exec's pseudo-terminal from outside it. Node cannot issue TIOCSWINSZ, so
 * `stty -F /dev/pts/N rows R cols C` does (spawned with an argv, no shell); the kernel then sends
 * SIGWINCH to the terminal's foreground process group. The terminal is the controlling terminal
 * of the process `script` forked (tty_nr in its /proc stat), which holds it whatever the command
 * does with its descriptors.
 *
 * The wrapper shell sets the initial size before it execs the command, so a resize waits until
 * the command has replaced the wrapper: one run earlier would be undone by the wrapper's stty.
 * Resizes run one at a time; one that waits is replaced by a newer one, so the last one wins.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TerminalSize } from '../core/driver.js';
import { listProcesses } from './process-tree.js';

/** How long a resize waits for the terminal to be set up before it is dropped. */
const SETUP_WAIT_MS = 5000;
const POLL_MS = 10;
/** Unix98 pty slaves have majors 136..143, 256 minors each. */
const PTS_FIRST_MAJOR = 136;
const PTS_LAST_MAJOR = 143;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TtyResizer {
  private wanted: TerminalSize | null = null;
  private running = false;
  private closed = false;
  private terminal: string | null = null;

  /**
   * @param scriptPid the `script` process of the exec
   * @param wrapper the wrapper shell's `-c` string (see tty-command.ts)
   * @param stty where `stty` is
   */
  constructor(
    private readonly scriptPid: number,
    private readonly wrapper: string,
    private readonly stty: string,
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  resize(size: TerminalSize): void {
    if (this.closed) return;
    this.wanted = size;
    if (!this.running) void this.run();
  }

  /** The command ended: pending resizes are dropped. */
  close(): void {
    this.closed = true;
    this.wanted = null;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.wanted && !this.closed) {
        const terminal = this.terminal ?? (await this.findTerminal());
        const size = this.wanted;
        this.wanted = null;
        if (!terminal || !size || this.closed) return;
        this.terminal = terminal;
        await this.setSize(terminal, size);
      }
    } finally {
      this.running = false;
    }
  }

  /** /dev/pts/N once the command runs on it; null when that does not happen in time. */
  private async findTerminal(): Promise<string | null> {
    const deadline = Date.now() + SETUP_WAIT_MS;
    while (!this.closed && Date.now() < deadline) {
      const child = listProcesses().find((p) => p.ppid === this.scriptPid && p.state !== 'Z');
      if (child) {
        const terminal = controllingTerminal(child.pid);
        if (terminal && !this.stillWrapper(child.pid)) return terminal;
      }
      await sleep(POLL_MS);
    }
    return null;
  }

  /** True while `pid` is `script` before its fork's exec, or the wrapper shell before its exec. */
  private stillWrapper(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(this.wrapper);
    } catch {
      return false; // gone: the resize finds nothing to do
    }
  }

  private setSize(terminal: string, size: TerminalSize): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn(this.stty, ['-F', terminal, 'rows', String(size.rows), 'cols', String(size.cols)], {
        stdio: 'ignore',
        env: { ...this.env },
      });
      child.once('error', () => resolve());
      child.once('exit', () => resolve());
    });
  }
}

/** /dev/pts/N for the controlling terminal of `pid`, if it is a pty slave. */
function controllingTerminal(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // After the command name (which may hold spaces): state ppid pgrp session tty_nr ...
  const ttyNr = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[4]);
  if (!Number.isInteger(ttyNr) || ttyNr === 0) return null;
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major < PTS_FIRST_MAJOR || major > PTS_LAST_MAJOR) return null;
  return `/dev/pts/${(major - PTS_FIRST_MAJOR) * 256 + minor}`;
}
