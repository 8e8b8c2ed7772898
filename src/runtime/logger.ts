import pino from 'pino';
import type { Logger } from '../core/logger.js';
import { prettyLine } from '../logs/pretty.js';

/**
 * JSON lines on stderr, so stdout stays free for what commands print; on a terminal, one
 * readable line each instead. `service` names the process role on every line.
 */
export function createLogger(level: string, service = 'cli'): Logger {
  const stream = process.stderr;
  const options = { name: 'aether', level, base: { pid: process.pid, service } };
  if (stream.isTTY) {
    const color = stream.hasColors?.() ?? false;
    return pino(options, {
      write: (line: string) => void stream.write(prettyLine(line, color)),
    }) as unknown as Logger;
  }
  return pino(options, pino.destination(2)) as unknown as Logger;
}
