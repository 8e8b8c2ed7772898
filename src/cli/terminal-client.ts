/**
 * The local side of `aether shell`, `exec -it` and `attach` to a terminal: our terminal in raw
 * mode (every key, Ctrl-C included, goes to the VM; the VM's terminal echoes), its size sent at
 * start and on every resize, the session's output copied to ours with backpressure, and the
 * command's exit status as ours. The local terminal is restored on every way out: the command's
 * exit, a detach (Ctrl-P Ctrl-Q), a lost connection, SIGTERM or SIGHUP, an uncaught error.
 */
import { once } from 'node:events';
import type { AetherClient } from '@aetherium/sdk';
import type { TerminalSize } from '../core/driver.js';
import { DetachKeys } from './detach-keys.js';
import { signalExitStatus } from './exec-stream.js';

/** What a shell reports when the connection, not the command, ended (as ssh does). */
const EXIT_CONNECTION_LOST = 255;
const FALLBACK_SIZE: TerminalSize = { cols: 80, rows: 24 };

export interface TerminalRunOptions {
  /** Forward our stdin (`-i`); without it the command gets no input. */
  input: boolean;
}

/** Our terminal's size, or 80×24 when stdout is not a terminal. */
export function localTerminalSize(): TerminalSize {
  const { columns, rows } = process.stdout;
  return columns && rows ? { cols: columns, rows } : FALLBACK_SIZE;
}

/**
 * Attaches to the session and relays until it ends or we detach; returns the exit status to use:
 * the command's code, 128+n for a signal, 0 after a detach, 255 when the connection was lost.
 */
export async function relayTerminal(
  client: AetherClient,
  vm: string,
  terminalId: string,
  options: TerminalRunOptions,
): Promise<number> {
  const attachment = await client.attachTerminal(vm, terminalId);
  const stdin = process.stdin;
  const raw = options.input && stdin.isTTY;
  const restore = () => {
    if (raw && stdin.isTTY) stdin.setRawMode(false);
  };
  const onExit = () => restore();
  // A signal that would end us: restore the terminal and leave the session running.
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    attachment.detach();
    process.exit(signalExitStatus(signal));
  };
  process.once('exit', onExit);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  const detachKeys = new DetachKeys();
  let detached = false;
  const onInput = (chunk: Buffer) => {
    const { forward, detach } = raw ? detachKeys.scan(chunk) : { forward: chunk, detach: false };
    if (forward.length > 0) {
      // Typing faster than the VM reads waits here rather than piling up.
      stdin.pause();
      attachment.write(forward).then(
        () => stdin.resume(),
        () => {},
      );
    }
    if (detach) {
      detached = true;
      attachment.detach();
    }
  };
  const onResize = () => attachment.resize(localTerminalSize());
  try {
    if (raw) stdin.setRawMode(true);
    if (options.input) {
      stdin.on('data', onInput);
      stdin.resume();
    }
    if (process.stdout.isTTY) process.stdout.on('resize', onResize);
    attachment.resize(localTerminalSize());
    for await (const event of attachment.events) {
      if (event.type === 'output') {
        if (!process.stdout.write(event.data)) await once(process.stdout, 'drain');
        continue;
      }
      restore();
      if (event.exit.error) process.stderr.write(`aether: the terminal ended: ${event.exit.error}\n`);
      return event.exit.code ?? signalExitStatus(event.exit.signal);
    }
    restore();
    if (detached) {
      process.stderr.write(`\r\naether: detached; re-attach with: aether attach ${vm} ${terminalId}\r\n`);
      return 0;
    }
    return EXIT_CONNECTION_LOST;
  } catch (error) {
    restore();
    process.stderr.write(
      `\r\naether: ${(error as Error).message}; the session may run on: aether attach ${vm} ${terminalId}\r\n`,
    );
    return EXIT_CONNECTION_LOST;
  } finally {
    restore();
    stdin.off('data', onInput);
    stdin.pause();
    process.stdout.off('resize', onResize);
    process.off('exit', onExit);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    attachment.detach();
  }
}

export interface OpenTerminalOptions extends TerminalRunOptions {
  /** Default: the VM's login shell. */
  argv?: string[] | undefined;
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
}

/** Opens a terminal session at our terminal's size and relays it (see relayTerminal). */
export async function openAndRelay(
  client: AetherClient,
  vm: string,
  options: OpenTerminalOptions,
): Promise<number> {
  const size = localTerminalSize();
  const env = { ...(process.env.TERM ? { TERM: process.env.TERM } : {}), ...options.env };
  const session = await client.openTerminal(vm, {
    ...size,
    ...(options.argv && options.argv.length > 0 ? { command: options.argv } : {}),
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return relayTerminal(client, vm, session.id, options);
}
