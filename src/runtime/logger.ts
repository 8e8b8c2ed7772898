import pino from 'pino';
import type { Logger } from '../core/logger.js';
import { prettyLine } from '../logs/pretty.js';
import type { AetherConfig } from './config.js';

export type LogFormat = AetherConfig['logFormat'];

/** Whether lines on `stream` are written for a person: `auto` asks whether it is a terminal. */
export function isPrettyFormat(format: LogFormat, stream: { isTTY?: boolean }): boolean {
  return format === 'pretty' || (format === 'auto' && stream.isTTY === true);
}

/**
 * Log lines on stderr, so stdout stays free for what commands print: one readable line each
 * when `format` says so (on a terminal, by default), else JSON lines for a collector.
 * `service` names the process role on every line.
 */
export function createLogger(level: string, service = 'cli', format: LogFormat = 'auto'): Logger {
  const stream = process.stderr;
  const options = { name: 'aether', level, base: { pid: process.pid, service } };
  if (isPrettyFormat(format, stream)) {
    const color = stream.hasColors?.() ?? false;
    return pino(options, {
      write: (line: string) => void stream.write(prettyLine(line, color)),
    }) as unknown as Logger;
  }
  return pino(options, pino.destination(2)) as unknown as Logger;
}
