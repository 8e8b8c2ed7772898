import pino from 'pino';
import type { Logger } from '../core/logger.js';

/** JSON lines on stderr, so stdout stays free for what commands print. */
export function createLogger(level: string, name = 'aether'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination(2)) as unknown as Logger;
}
