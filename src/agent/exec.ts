/**
 * One command run by the agent: spawned without a shell in its own process group, output
 * streamed as it comes, stdin written then closed (or streamed from the host with flow control),
 * and on timeout or signal its whole process tree is signalled (see process-tree.ts).
 *
 * A terminal exec (`tty`) runs under util-linux `script` (tty-command.ts): its output is sent
 * only within the host's credit (credited-output.ts), and `resize` sets the terminal's size
 * (tty-resize.ts). Its exit is reported once all its output is sent, as the last screen matters.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { TerminalSize } from '../core/driver.js';
import {
  type AgentMessage,
  type AgentSignal,
  type ExecMessage,
  MAX_OUTPUT_CHUNK_BYTES,
  TTY_OUTPUT_WINDOW_BYTES,
} from '../protocol/messages.js';
import { CreditedOutput, type Pausable } from './credited-output.js';
import { EXEC_MARKER_VAR, signalTree } from './process-tree.js';
import { StdinSink } from './stdin-sink.js';
import { findExecutable, type TtyLaunch, ttyLaunch } from './tty-command.js';
import { TtyResizer } from './tty-resize.js';

export interface ExecContext {
  home: string;
  /** Environment every command starts from; the request's env is laid over it. */
  baseEnv: Readonly<Record<string, string>>;
  send(message: AgentMessage): void;
  /** Output streams register here so the session can pause them when the host reads slowly. */
  track(stream: Pausable): void;
  untrack(stream: Pausable): void;
}

/** What a terminal exec has beyond a plain one. */
interface Terminal {
  output: CreditedOutput;
  resizer: TtyResizer;
}

/** Unique per agent process; no node:crypto, which would cost agent start-up time in every VM. */
let execCounter = 0;
function newMarker(): string {
  execCounter += 1;
  return `${process.pid}.${Date.now().toString(36)}.${execCounter}`;
}

/** How long to wait for stdout/stderr to close after the command exits. A background child
 * may hold them open forever; we report the exit anyway and discard what comes later. */
const DRAIN_GRACE_MS = 100;

export class RunningExec {
  private child: ChildProcess | null = null;
  private readonly marker = newMarker();
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  /** The kernel's OOM-kill count when the command started (see kernelOomKills). */
  private oomKillsAtStart = 0;
  private finished = false;
  private exitStatus: { code: number | null; signal: string | null } | null = null;
  private openStreams = 2;
  private readonly stdin: StdinSink | null;
  private terminal: Terminal | null = null;

  constructor(
    private readonly request: ExecMessage,
    private readonly ctx: ExecContext,
    private readonly onDone: () => void,
  ) {
    this.stdin = request.stdinStream
      ? new StdinSink((bytes) => ctx.send({ type: 'credit', id: request.id, bytes }))
      : null;
  }

  /**
   * A `data` frame for this command's streamed stdin. A host that sends past its credit, or
   * streams to a command that took its stdin in the request, breaks the contract: the command
   * is killed and the host told, as nothing it sees of this stream can be trusted any more.
   */
  feedStdin(data: Uint8Array, end: boolean): void {
    if (this.finished) return;
    if (this.stdin?.push(data, end)) return;
    const why = this.stdin ? 'host sent stdin past its credit' : 'this command takes no streamed stdin';
    this.abandon();
    this.ctx.send({ type: 'error', id: this.request.id, code: 'ERR_AGENT_PROTOCOL', message: why });
    this.onDone();
  }

  async start(): Promise<void> {
    const { request, ctx } = this;
    const cwd = resolve(ctx.home, request.cwd ?? '.');
    // Checked first: a missing cwd makes spawn() report ENOENT as if the binary were missing.
    const cwdError = await stat(cwd).then(
      (s) => (s.isDirectory() ? null : `cwd ${cwd} is not a directory`),
      (error: NodeJS.ErrnoException) => `cwd ${cwd}: ${error.code ?? error.message}`,
    );
    if (cwdError) return this.spawnFailed(cwdError);

    const env = { ...ctx.baseEnv, ...request.env, [EXEC_MARKER_VAR]: this.marker };
    let launch: Pick<TtyLaunch, 'file' | 'args' | 'env'> = {
      file: request.argv[0]!,
      args: request.argv.slice(1),
      env,
    };
    let tty: { launch: TtyLaunch; stty: string } | null = null;
    if (request.tty) {
      const prepared = await this.prepareTerminal(request.tty, env, cwd);
      if (typeof prepared === 'string') return this.spawnFailed(prepared);
      tty = prepared;
      launch = prepared.launch;
    }
    if (this.finished) return; // abandoned meanwhile
    let child: ChildProcess;
    try {
      child = spawn(launch.file, launch.args, {
        cwd,
        env: launch.env,
        detached: true, // own process group: the tree can be killed as a unit
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      return this.spawnFailed((error as Error).message);
    }
    this.child = child;
    // 'on', not 'once': a later 'error' (a failed kill, say) must not become an uncaught throw.
    child.on('error', (error) => {
      if (child.pid === undefined) this.spawnFailed(error.message);
    });
    if (child.pid === undefined) return; // 'error' follows
    const pid = child.pid;
    this.oomKillsAtStart = kernelOomKills();
    ctx.send({ type: 'started', id: request.id, pid });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      void signalTree({ pid, marker: this.marker }, 'SIGKILL');
      // Exited already, its output waiting for credit the host does not give: the deadline ends that too.
      if (this.exitStatus) this.finish(true);
    }, request.timeoutMs);

    child.stdin!.on('error', () => {}); // EPIPE when the command does not read its stdin
    if (this.stdin) this.stdin.attach(child.stdin!);
    else child.stdin!.end(request.stdin ? Buffer.from(request.stdin, 'base64') : undefined);
    if (tty) this.pipeTerminal(child.stdout!, pid, tty.launch.wrapper, tty.stty);
    else this.pipe(child.stdout!, 'stdout');
    this.pipe(child.stderr!, 'stderr');
    child.once('exit', (code, signal) => {
      this.exitStatus = { code, signal };
      this.terminal?.resizer.close();
      // Killed at its deadline: what its terminal still holds is not waited for.
      if (this.terminal && this.timedOut) return this.finish(true);
      if (this.openStreams === 0) return this.finish();
      // The terminal's output closes when `script` exits (nothing else holds it) once it is all
      // read, which waits for the host's credit: the deadline bounds that wait, not a grace.
      if (this.terminal) return;
      clearTimeout(this.timer);
      setTimeout(() => this.finish(), DRAIN_GRACE_MS).unref();
    });
  }

  /** The host took `bytes` more of a terminal's output; ignored for a plain exec. */
  grantOutput(bytes: number): void {
    if (!this.finished) this.terminal?.output.grant(bytes);
  }

  /** Sets a terminal exec's size; ignored for a plain exec and once the command has exited. */
  resize(size: TerminalSize): void {
    if (this.finished || this.exitStatus) return;
    this.terminal?.resizer.resize(size);
  }

  /** `script` and `stty` on the agent's own PATH, the command on its own: a spawn failure message if missing. */
  private async prepareTerminal(
    size: TerminalSize,
    env: Record<string, string>,
    cwd: string,
  ): Promise<{ launch: TtyLaunch; stty: string } | string> {
    const basePath = this.ctx.baseEnv.PATH ?? '/usr/bin:/bin';
    const [script, stty] = await Promise.all([
      findExecutable('script', basePath, '/'),
      findExecutable('stty', basePath, '/'),
    ]);
    if (!script || !stty) {
      return 'this guest lacks util-linux `script` (or `stty`), which runs a command on a terminal: install bsdutils and coreutils';
    }
    const [name, ...args] = this.request.argv as [string, ...string[]];
    const found = await findExecutable(name, env.PATH ?? '/usr/bin:/bin', cwd);
    if (!found) return `${name}: no such executable file${name.includes('/') ? '' : ' on PATH'}`;
    // The shell's `exec` would take a leading "-" for an option: such a name runs by its path.
    const argv = name.startsWith('-') ? [found, ...args] : [name, ...args];
    return { launch: ttyLaunch(script, argv, size, env), stty };
  }

  /** A terminal's output: sent within the host's credit. */
  private pipeTerminal(stream: Readable, pid: number, wrapper: string, stty: string): void {
    const { id } = this.request;
    const output = new CreditedOutput(stream, TTY_OUTPUT_WINDOW_BYTES, MAX_OUTPUT_CHUNK_BYTES, (chunk) =>
      this.ctx.send({ type: 'out', id, stream: 'stdout', data: chunk.toString('base64') }),
    );
    this.terminal = { output, resizer: new TtyResizer(pid, wrapper, stty, this.ctx.baseEnv) };
    this.ctx.track(output);
    stream.once('close', () => {
      this.ctx.untrack(output);
      this.streamClosed();
    });
  }

  /** Delivers a signal to the whole tree; ignored once the command has exited. */
  signal(signal: AgentSignal): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.exitStatus) return;
    void signalTree({ pid, marker: this.marker }, signal);
  }

  /** The host went away: nobody can observe this command any more. */
  abandon(): void {
    const pid = this.child?.pid;
    if (pid !== undefined && !this.finished) void signalTree({ pid, marker: this.marker }, 'SIGKILL');
    this.finished = true;
    clearTimeout(this.timer);
    this.stdin?.close();
    this.stopTerminal();
  }

  private pipe(stream: Readable, name: 'stdout' | 'stderr'): void {
    this.ctx.track(stream);
    stream.on('data', (chunk: Buffer) => {
      if (this.finished) return;
      for (let offset = 0; offset < chunk.length; offset += MAX_OUTPUT_CHUNK_BYTES) {
        const part = chunk.subarray(offset, offset + MAX_OUTPUT_CHUNK_BYTES);
        this.ctx.send({ type: 'out', id: this.request.id, stream: name, data: part.toString('base64') });
      }
    });
    stream.once('close', () => {
      this.ctx.untrack(stream);
      this.streamClosed();
    });
  }

  private streamClosed(): void {
    this.openStreams--;
    if (this.openStreams === 0 && this.exitStatus) this.finish();
  }

  /** `force`: the deadline passed, whatever output still waits for credit is dropped. */
  private finish(force = false): void {
    if (this.finished || !this.exitStatus) return;
    const output = this.terminal?.output;
    if (!force && output?.hasPending) {
      output.whenFlushed(() => this.finish());
      return;
    }
    this.finished = true;
    clearTimeout(this.timer);
    this.stdin?.close();
    this.stopTerminal();
    const { code, signal } = this.exitStatus;
    const oomKills = Math.max(0, kernelOomKills() - this.oomKillsAtStart);
    this.ctx.send({ type: 'exit', id: this.request.id, code, signal, timedOut: this.timedOut, oomKills });
    // Whatever a background child still writes is read and dropped, so it never blocks on a
    // full pipe; the session no longer throttles these streams.
    for (const stream of [this.child?.stdout, this.child?.stderr]) {
      if (!stream) continue;
      this.ctx.untrack(stream);
      stream.resume();
    }
    this.onDone();
  }

  /** No more output goes to the host and no resize runs; the stream is read and dropped. */
  private stopTerminal(): void {
    if (!this.terminal) return;
    this.terminal.resizer.close();
    this.terminal.output.stop();
    this.ctx.untrack(this.terminal.output);
    this.child?.stdout?.resume();
  }

  private spawnFailed(message: string): void {
    if (this.finished) return;
    this.finished = true;
    this.stdin?.close();
    clearTimeout(this.timer);
    this.ctx.send({ type: 'error', id: this.request.id, code: 'ERR_EXEC_SPAWN_FAILED', message });
    this.onDone();
  }
}

/** The kernel's count of OOM kills so far (/proc/vmstat `oom_kill`); 0 where it cannot be read. */
function kernelOomKills(): number {
  try {
    const match = /^oom_kill (\d+)$/m.exec(readFileSync('/proc/vmstat', 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}
