import { describe, expect, it } from 'vitest';
import type {
  ExecOutput,
  ExecRequest,
  ExecResult,
  RunningCommand,
  TerminalSize,
  VmDriver,
} from '../../core/driver.js';
import type { TerminalEvent } from '../../core/terminal.js';
import { CLIENT_HIGH_WATER_BYTES } from './client-feed.js';
import { OutputRing } from './output-ring.js';
import { REPLAY_BYTES } from './terminal-session.js';
import { TerminalSessions } from './terminal-sessions.js';

/** A driver whose one command is driven by the test: it prints, reads input, and exits on demand. */
function scriptedDriver() {
  const state: {
    output?: ExecOutput;
    request?: ExecRequest;
    signals: string[];
    sizes: TerminalSize[];
    input: Uint8Array[];
    finish?: (result: ExecResult) => void;
  } = { signals: [], sizes: [], input: [] };
  const driver = {
    exec(_id: string, request: ExecRequest, output: ExecOutput = {}) {
      state.request = request;
      state.output = output;
      const command: RunningCommand = {
        pid: 42,
        signal: (s) => {
          state.signals.push(s);
          if (s === 'SIGHUP')
            state.finish?.({ exitCode: null, signal: 'SIGHUP', timedOut: false, durationMs: 1 });
        },
        resize: (size) => state.sizes.push(size),
      };
      void (async () => {
        for await (const chunk of request.stdin as AsyncIterable<Uint8Array>) state.input.push(chunk);
      })();
      queueMicrotask(() => output.onStarted?.(command));
      return new Promise<ExecResult>((resolve) => {
        state.finish = resolve;
      });
    },
  } as unknown as VmDriver;
  return { driver, state };
}

const spec = { argv: ['bash'], cols: 80, rows: 24 };
const options = { detachGraceMs: 60_000, maxPerVm: 2 };
const text = (s: string) => new TextEncoder().encode(s);

async function take(events: AsyncIterator<TerminalEvent>): Promise<TerminalEvent> {
  const next = await events.next();
  if (next.done) throw new Error('events ended');
  return next.value;
}

function outputText(event: TerminalEvent): string {
  if (event.type !== 'output') throw new Error(`expected output, got ${event.type}`);
  return new TextDecoder().decode(event.data);
}

describe('terminal sessions', () => {
  it('runs the command on a terminal and replays recent output to a client that attaches later', async () => {
    const { driver, state } = scriptedDriver();
    const sessions = new TerminalSessions(options);
    const info = await sessions.open(driver, 'vm1', spec);
    expect(state.request?.tty).toEqual({ cols: 80, rows: 24 });
    await state.output!.onStdout!(text('prompt$ '));
    const client = sessions.attach('vm1', info.id);
    const events = client.events[Symbol.asyncIterator]();
    expect(outputText(await take(events))).toBe('prompt$ ');
    void state.output!.onStdout!(text('live'));
    expect(outputText(await take(events))).toBe('live');
    await client.write(text('ls\r'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(state.input).toString()).toBe('ls\r');
    client.resize({ cols: 120, rows: 40 });
    expect(state.sizes).toEqual([{ cols: 120, rows: 40 }]);
    expect(sessions.get('vm1', info.id)).toMatchObject({ clients: 1, cols: 120, rows: 40, detachedAt: null });
    state.finish!({ exitCode: 3, signal: null, timedOut: false, durationMs: 5 });
    expect(await take(events)).toEqual({ type: 'exit', exit: { code: 3, signal: null } });
    expect((await events.next()).done).toBe(true);
    // Ended, still listed for a while with its exit; a late attach gets the replay and the exit.
    const late = sessions.attach('vm1', info.id).events[Symbol.asyncIterator]();
    expect(outputText(await take(late))).toBe('prompt$ live');
    expect((await take(late)).type).toBe('exit');
  });

  it('holds the guest back while an attached client does not read (bounded memory)', async () => {
    const { driver, state } = scriptedDriver();
    const sessions = new TerminalSessions(options);
    const info = await sessions.open(driver, 'vm1', spec);
    sessions.attach('vm1', info.id); // never reads
    const chunk = new Uint8Array(64 * 1024);
    let accepted = 0;
    let blocked = false;
    for (let i = 0; i < 64; i++) {
      const more = state.output!.onStdout!(chunk);
      accepted += chunk.length;
      const settled = await Promise.race([
        Promise.resolve(more).then(() => true),
        new Promise((resolve) => setTimeout(() => resolve(false), 20)),
      ]);
      if (!settled) {
        blocked = true;
        break;
      }
    }
    expect(blocked).toBe(true);
    expect(accepted).toBeLessThanOrEqual(CLIENT_HIGH_WATER_BYTES + chunk.length);
  });

  it('does not hold the guest back with no client: output goes to the bounded replay only', async () => {
    const { driver, state } = scriptedDriver();
    const sessions = new TerminalSessions(options);
    const info = await sessions.open(driver, 'vm1', spec);
    for (let i = 0; i < 100; i++) expect(state.output!.onStdout!(new Uint8Array(64 * 1024))).toBeUndefined();
    const replay = await take(sessions.attach('vm1', info.id).events[Symbol.asyncIterator]());
    expect(replay.type === 'output' && replay.data.length).toBe(REPLAY_BYTES);
  });

  it('hangs up on the command once no client came back within the grace period', async () => {
    const { driver, state } = scriptedDriver();
    const sessions = new TerminalSessions({ ...options, detachGraceMs: 50 });
    const info = await sessions.open(driver, 'vm1', spec);
    const client = sessions.attach('vm1', info.id);
    client.detach();
    expect(sessions.get('vm1', info.id).detachedAt).toBeInstanceOf(Date);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(state.signals).toContain('SIGHUP');
    expect(sessions.get('vm1', info.id).exit).toMatchObject({ signal: 'SIGHUP' });
  });

  it('re-attaching within the grace period keeps the command', async () => {
    const { driver, state } = scriptedDriver();
    const sessions = new TerminalSessions({ ...options, detachGraceMs: 100 });
    const info = await sessions.open(driver, 'vm1', spec);
    sessions.attach('vm1', info.id).detach();
    await new Promise((resolve) => setTimeout(resolve, 50));
    sessions.attach('vm1', info.id);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(state.signals).toEqual([]);
  });

  it("answers another VM's session as a missing one, and caps sessions per VM", async () => {
    const { driver } = scriptedDriver();
    const sessions = new TerminalSessions(options);
    const info = await sessions.open(driver, 'vm1', spec);
    expect(() => sessions.attach('vm2', info.id)).toThrow(
      expect.objectContaining({ code: 'ERR_TERMINAL_NOT_FOUND' }),
    );
    await sessions.open(scriptedDriver().driver, 'vm1', spec);
    await expect(sessions.open(scriptedDriver().driver, 'vm1', spec)).rejects.toMatchObject({
      code: 'ERR_TOO_MANY_STREAMS',
    });
  });
});

describe('output ring', () => {
  it('keeps only the last bytes', () => {
    const ring = new OutputRing(5);
    ring.push(Buffer.from('abc'));
    ring.push(Buffer.from('defg'));
    expect(Buffer.from(ring.contents()).toString()).toBe('cdefg');
  });
});
