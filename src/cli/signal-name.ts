import os from 'node:os';
import { COMMAND_SIGNALS, type CommandSignal } from '../core/driver.js';
import { AetherError } from '../core/errors.js';

/**
 * A signal as people write it — `TERM`, `SIGTERM`, `term` or `15` — as the name the API takes.
 * Only the signals a command may be sent (COMMAND_SIGNALS) are accepted.
 */
export function parseSignalName(text: string): CommandSignal {
  const trimmed = text.trim().toUpperCase();
  const name = /^\d+$/.test(trimmed)
    ? Object.entries(os.constants.signals).find(([, number]) => number === Number(trimmed))?.[0]
    : trimmed.startsWith('SIG')
      ? trimmed
      : `SIG${trimmed}`;
  const known = COMMAND_SIGNALS.find((signal) => signal === name);
  if (!known) {
    const offered = COMMAND_SIGNALS.map((signal) => signal.slice(3)).join(', ');
    throw new AetherError(
      'ERR_VALIDATION',
      `--signal: use one of ${offered} (with or without SIG), not "${text}"`,
    );
  }
  return known;
}
