/**
 * Keystroke echo through `aether shell` (docker driver), next to a bare `docker exec -it` into
 * the same container, in the same run: both clients on a real pty (pty-session.ts), both shells
 * open at once, samples taken in turns so a busy moment of the machine weighs on each alike. A
 * sample is one printable byte typed at the prompt, timed until the remote terminal's echo of it
 * comes back; a backspace then erases it (its echo awaited, untimed), so the line never grows.
 * Ours goes CLI → WebSocket → gateway → worker → Docker driver → guest agent → pty; the
 * baseline goes docker CLI → Docker Engine → containerd shim → pty.
 */

import { startAetherUp } from './aether-up.js';
import { childEnv } from './child-env.js';
import { cliPackage } from './cli-package.js';
import { PtySession } from './pty-session.js';
import { percentile, ratio } from './stats.js';

export interface TerminalEchoFigures {
  image: string;
  /** Milliseconds from a byte written to its echo read, per sample. */
  ours: number[];
  dockerExec: number[];
}

export interface TerminalEchoOptions {
  samples: number;
  /** Untimed samples of each side first: JIT, caches, the shells' first redraws. */
  warmUp: number;
}

const READY_MS = 60_000;
const ECHO_MS = 10_000;
/** Typed and erased: a byte no terminal escape sequence or prompt redraw holds. */
const KEY = 'x';
const BACKSPACE = '\x7f';
/**
 * Readline's answer to a backspace at the end of the line moves the cursor back with ^H (then
 * clears with `ESC [K` or a space).
 */
const CURSOR_BACK = '\b';

/** Waits for a shell that reads lines: a command computed remotely, so not a local echo. */
async function untilShellAnswers(session: PtySession, name: string): Promise<void> {
  const from = session.mark;
  session.typeLine('stty -echoctl; echo ready-$((6*7))');
  try {
    await session.waitFor('ready-42', from, READY_MS);
  } catch (error) {
    throw new Error(`${name} did not give a shell: ${(error as Error).message}`);
  }
}

/** One keystroke to its echo, in ms; then the byte erased, so the line stays empty. */
async function echoRoundTrip(session: PtySession): Promise<number> {
  let from = session.mark;
  const started = performance.now();
  session.write(KEY);
  await session.waitFor(KEY, from, ECHO_MS);
  const elapsed = performance.now() - started;
  from = session.mark;
  session.write(BACKSPACE);
  await session.waitFor(CURSOR_BACK, from, ECHO_MS);
  return elapsed;
}

export async function benchTerminalEcho(
  options: TerminalEchoOptions,
  image: string,
  log: (line: string) => void,
): Promise<TerminalEchoFigures> {
  const { bin } = await cliPackage(log);
  const node = await startAetherUp(
    { AETHER_DRIVER: 'docker', AETHER_DRIVERS: 'docker', AETHER_DOCKER_IMAGE: image },
    log,
  );
  const sessions: PtySession[] = [];
  try {
    const { vm } = await node.client.createVm({ name: 'bench-terminal' }, { wait: true });
    const env = childEnv({ AETHER_URL: node.url, AETHER_TOKEN: node.token ?? '', TERM: 'xterm' });
    const ours = new PtySession([process.execPath, bin, 'shell', vm.id], env);
    sessions.push(ours);
    const bare = new PtySession(['docker', 'exec', '-it', `aether-${vm.id}`, 'bash', '-l'], env);
    sessions.push(bare);
    await untilShellAnswers(ours, 'aether shell');
    await untilShellAnswers(bare, 'docker exec -it');
    log(
      `terminal: ${options.samples} keystrokes each through aether shell and docker exec -it, in turns, after ${options.warmUp} untimed`,
    );
    const figures: TerminalEchoFigures = { image, ours: [], dockerExec: [] };
    for (let i = 0; i < options.warmUp + options.samples; i++) {
      // Which goes first alternates too: neither always follows the other's wake-ups.
      const oursFirst = i % 2 === 0;
      const first = await echoRoundTrip(oursFirst ? ours : bare);
      const second = await echoRoundTrip(oursFirst ? bare : ours);
      const [a, b] = oursFirst ? [first, second] : [second, first];
      if (i < options.warmUp) continue;
      figures.ours.push(a);
      figures.dockerExec.push(b);
    }
    return figures;
  } finally {
    for (const session of sessions) await session.close();
    const problems = await node.stop();
    for (const problem of problems) log(`warning: ${problem}`);
  }
}

/** Echoes take a millisecond or two: one decimal would hide the difference. */
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

export function terminalEchoRows(f: TerminalEchoFigures): string[][] {
  const row = (p: number) => {
    const ours = percentile(f.ours, p);
    const base = percentile(f.dockerExec, p);
    return [`keystroke echo p${p}`, fmt(ours), fmt(base), ratio(ours, base)];
  };
  return [['figure', 'aether shell', 'docker exec -it', 'ratio'], row(50), row(99)];
}
