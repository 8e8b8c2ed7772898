/**
 * The registry against real host processes standing in for a driver: each command runs in its
 * own process group, signals go to the group, and stdin is written as a driver writes it (one
 * pulled chunk at a time, waiting for the pipe to drain).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../core/ids.js';
import { type CommandRegistration, RunningCommands } from './running-commands.js';

interface HostRun {
  child: ChildProcess;
  /** Settles when the command ended and its registration was released. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
});

/** Runs `argv` on the host the way a driver runs a command for a registration. */
function runOnHost(argv: string[], registration: CommandRegistration): HostRun {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  child.once('spawn', () =>
    registration.onStarted({ pid: child.pid!, signal: (signal) => process.kill(-child.pid!, signal) }),
  );
  child.stdin!.on('error', () => {}); // EPIPE when the command exits before reading it all.
  void writeStdin(child, registration.stdin);
  const stdout: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  const ended = once(child, 'close').then(([code, signal]) => {
    registration.release();
    return {
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
      stdout: Buffer.concat(stdout).toString('utf8'),
    };
  });
  return { child, ended };
}

async function writeStdin(child: ChildProcess, stdin: AsyncIterable<Uint8Array> | undefined): Promise<void> {
  const pipe = child.stdin!;
  if (stdin) {
    for await (const chunk of stdin) {
      if (pipe.destroyed) break;
      if (!pipe.write(chunk)) await drainedOrClosed(pipe);
    }
  }
  pipe.end();
}

function drainedOrClosed(pipe: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      pipe.off('drain', done);
      pipe.off('close', done);
      resolve();
    };
    pipe.on('drain', done);
    pipe.on('close', done);
  });
}

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as { code?: string; message: string },
  );
}

describe('signals to running commands', () => {
  it('reach the command while it runs; it ends by that signal', async () => {
    const commands = new RunningCommands();
    const id = newId();
    const run = runOnHost(
      ['sh', '-c', 'sleep 300 & sleep 300'],
      commands.register(id, { vmId: 'vm-1', stdinStream: false }),
    );
    await once(run.child, 'spawn');
    commands.signal(id, 'SIGTERM');
    expect(await run.ended).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(commands.has(id)).toBe(false);
  });

  it('sent after registration but before the command started, land when it starts', async () => {
    const commands = new RunningCommands();
    const id = newId();
    const registration = commands.register(id, { vmId: 'vm-1', stdinStream: false });
    commands.signal(id, 'SIGKILL');
    const run = runOnHost(['sleep', '300'], registration);
    expect(await run.ended).toMatchObject({ code: null, signal: 'SIGKILL' });
  });

  it('are refused for an execution not running here, one that ended, and a signal not offered', async () => {
    const commands = new RunningCommands();
    expect(() => commands.signal(newId(), 'SIGTERM')).toThrow(
      expect.objectContaining({ code: 'ERR_EXECUTION_NOT_RUNNING' }),
    );
    const id = newId();
    const run = runOnHost(['true'], commands.register(id, { vmId: 'vm-1', stdinStream: false }));
    await run.ended;
    expect(() => commands.signal(id, 'SIGTERM')).toThrow(
      expect.objectContaining({ code: 'ERR_EXECUTION_NOT_RUNNING' }),
    );
    commands.register(id, { vmId: 'vm-1', stdinStream: false });
    expect(() => commands.signal(id, 'SIGSTOP' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION' }),
    );
  });
});

describe('streamed stdin', () => {
  it('carries MiBs into sha256sum intact, and counts them', async () => {
    const commands = new RunningCommands();
    const id = newId();
    const data = randomBytes(5 * 1024 * 1024 + 7);
    const run = runOnHost(['sha256sum'], commands.register(id, { vmId: 'vm-1', stdinStream: true }));
    const fed = await commands.feedStdin(id, chunksOf(data, 64 * 1024), { waitMs: 1000 });
    expect(fed).toEqual({ bytes: data.length });
    const { code, stdout } = await run.ended;
    expect(code).toBe(0);
    expect(stdout.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('pulls the body no faster than the command reads it', async () => {
    const commands = new RunningCommands();
    const id = newId();
    const registration = commands.register(id, { vmId: 'vm-1', stdinStream: true });
    let produced = 0;
    let consumed = 0;
    let widestGap = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 50; i++) {
        produced++;
        widestGap = Math.max(widestGap, produced - consumed);
        yield new Uint8Array(1024);
      }
    }
    const feeding = commands.feedStdin(id, body(), { waitMs: 1000 });
    for await (const _chunk of registration.stdin!) {
      await sleep(2);
      consumed++;
    }
    registration.release();
    expect(await feeding).toEqual({ bytes: 50 * 1024 });
    expect(consumed).toBe(50);
    expect(widestGap).toBeLessThanOrEqual(1);
  });

  it('waits for an execution that registers after its feeder came', async () => {
    const commands = new RunningCommands();
    const id = newId();
    const feeding = commands.feedStdin(id, chunksOf(Buffer.from('late but fed\n'), 4), { waitMs: 5000 });
    await sleep(100);
    const run = runOnHost(['cat'], commands.register(id, { vmId: 'vm-1', stdinStream: true }));
    expect(await feeding).toEqual({ bytes: 13 });
    expect((await run.ended).stdout).toBe('late but fed\n');
  });

  it('closes stdin when the body fails midway, and the feed rejects with that error', async () => {
    const commands = new RunningCommands();
    const id = newId();
    const run = runOnHost(['wc', '-c'], commands.register(id, { vmId: 'vm-1', stdinStream: true }));
    const cut = new Error('connection reset by peer');
    async function* body(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(3000);
      yield new Uint8Array(1000);
      throw cut;
    }
    expect(await rejection(commands.feedStdin(id, body(), { waitMs: 1000 }))).toBe(cut);
    const { code, stdout } = await run.ended;
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('4000');
  });

  it('refuses a second feeder, and any feeder of an execution without streamed stdin', async () => {
    const commands = new RunningCommands();
    const id = newId();
    const run = runOnHost(['cat'], commands.register(id, { vmId: 'vm-1', stdinStream: true }));
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('first\n');
      await held;
    }
    const first = commands.feedStdin(id, slow(), { waitMs: 1000 });
    const second = await rejection(commands.feedStdin(id, chunksOf(Buffer.from('x'), 1), { waitMs: 1000 }));
    expect(second).toMatchObject({ code: 'ERR_EXECUTION_NOT_RUNNING' });
    expect(second.message).toContain('already has a stdin feeder');
    release();
    expect(await first).toEqual({ bytes: 6 });
    expect((await run.ended).stdout).toBe('first\n');

    const plain = newId();
    const other = runOnHost(['sleep', '300'], commands.register(plain, { vmId: 'vm-1', stdinStream: false }));
    const refused = await rejection(
      commands.feedStdin(plain, chunksOf(Buffer.from('x'), 1), { waitMs: 1000 }),
    );
    expect(refused).toMatchObject({ code: 'ERR_EXECUTION_NOT_RUNNING' });
    expect(refused.message).toContain('not started with a streamed stdin');
    commands.signal(plain, 'SIGKILL');
    await other.ended;
  });

  it('gives up on an execution that never registers here after waitMs', async () => {
    const commands = new RunningCommands();
    const started = performance.now();
    const refused = await rejection(
      commands.feedStdin(newId(), chunksOf(Buffer.from('x'), 1), { waitMs: 150 }),
    );
    expect(refused).toMatchObject({ code: 'ERR_EXECUTION_NOT_RUNNING' });
    expect(refused.message).toContain('waited 150 ms');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('ends the feed at once when the command exits before reading it all, even from a stalled body', async () => {
    const commands = new RunningCommands();
    const endless = newId();
    async function* forever(): AsyncGenerator<Uint8Array> {
      for (;;) yield new Uint8Array(64 * 1024);
    }
    const head = runOnHost(
      ['head', '-c', '10'],
      commands.register(endless, { vmId: 'vm-1', stdinStream: true }),
    );
    const cut = await rejection(commands.feedStdin(endless, forever(), { waitMs: 1000 }));
    expect(cut).toMatchObject({ code: 'ERR_EXECUTION_NOT_RUNNING' });
    expect((await head.ended).code).toBe(0);

    const stalled = newId();
    let stalledReturned = false;
    const silentBody: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<Uint8Array>>(() => {}),
        return: async () => {
          stalledReturned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const exits = runOnHost(
      ['sh', '-c', 'sleep 0.2'],
      commands.register(stalled, { vmId: 'vm-1', stdinStream: true }),
    );
    const feeding = rejection(commands.feedStdin(stalled, silentBody, { waitMs: 1000 }));
    await exits.ended;
    const settled = await Promise.race([feeding, sleep(1000).then(() => 'still pending')]);
    expect(settled).toMatchObject({ code: 'ERR_EXECUTION_NOT_RUNNING' });
    expect(stalledReturned).toBe(true);
  });

  it('without a feeder stays open and empty until the command ends', async () => {
    const commands = new RunningCommands();
    const id = newId();
    const run = runOnHost(
      ['sh', '-c', 'read line; echo "read: $line"'],
      commands.register(id, { vmId: 'vm-1', stdinStream: true }),
    );
    await sleep(300);
    expect(run.child.exitCode).toBeNull();
    commands.signal(id, 'SIGTERM');
    expect(await run.ended).toMatchObject({ signal: 'SIGTERM', stdout: '' });
    const late = await rejection(commands.feedStdin(id, chunksOf(Buffer.from('x'), 1), { waitMs: 50 }));
    expect(late).toMatchObject({ code: 'ERR_EXECUTION_NOT_RUNNING' });
  });
});
