/**
 * One command run by the agent: spawned without a shell in its own process group, output
 * streamed as it comes, stdin written then closed (or streamed from the host with flow control),
 * and on timeout or signal its whole process tree is signalled (see process-tree.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import {
  type AgentMessage,
  type AgentSignal,
  type ExecMessage,
  MAX_OUTPUT_CHUNK_BYTES,
} from '../protocol/messages.js';
import { EXEC_MARKER_VAR, signalTree } from './process-tree.js';
import { StdinSink } from './stdin-sink.js';

export interface ExecContext {
  home: string;
  /** Environment every command starts from; the request's env is laid over it. */
  baseEnv: Readonly<Record<string, string>>;
  send(message: AgentMessage): void;
  /** Output streams register here so the session can pause them when the host reads slowly. */
  track(stream: Readable): void;
  untrack(stream: Readable): void;
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
    let child: ChildProcess;
    try {
      child = spawn(request.argv[0]!, request.argv.slice(1), {
        cwd,
        env,
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
    }, request.timeoutMs);

    child.stdin!.on('error', () => {}); // EPIPE when the command does not read its stdin
    if (this.stdin) this.stdin.attach(child.stdin!);
    else child.stdin!.end(request.stdin ? Buffer.from(request.stdin, 'base64') : undefined);
    this.pipe(child.stdout!, 'stdout');
    this.pipe(child.stderr!, 'stderr');
    child.once('exit', (code, signal) => {
      this.exitStatus = { code, signal };
      clearTimeout(this.timer);
      if (this.openStreams === 0) this.finish();
      else setTimeout(() => this.finish(), DRAIN_GRACE_MS).unref();
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
      this.openStreams--;
      if (this.openStreams === 0 && this.exitStatus) this.finish();
    });
  }

  private finish(): void {
    if (this.finished || !this.exitStatus) return;
    this.finished = true;
    this.stdin?.close();
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
