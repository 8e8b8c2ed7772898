import { LOG_LEVEL_NUMBERS, type LogLevel, logLevelOf } from '../core/logs.js';

const COLORS: Readonly<Record<LogLevel, string>> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** Keys every line has, shown in the head of the line rather than as key=value. */
const HEAD_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'v']);

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  if (v !== null && typeof v === 'object' && 'message' in v && 'stack' in v) {
    return JSON.stringify((v as { message: unknown }).message);
  }
  return JSON.stringify(v) ?? String(v);
}

/**
 * One pino JSON line as a terminal line: `12:04:05.123 WARN  worker  message key=value …`.
 * A line that is not JSON is passed through as it is. An error's stack follows on its own lines.
 */
export function prettyLine(line: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = logLevelOf(typeof entry.level === 'number' ? entry.level : LOG_LEVEL_NUMBERS.info);
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString().slice(11, 23);
  const label = level.toUpperCase().padEnd(5);
  const service = typeof entry.service === 'string' ? entry.service : '';
  const rest = Object.entries(entry)
    .filter(([k, v]) => !HEAD_KEYS.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const stack = (entry.err as { stack?: unknown } | undefined)?.stack;
  const head = color
    ? `${DIM}${time}${RESET} ${COLORS[level]}${label}${RESET} ${DIM}${service}${RESET}`
    : `${time} ${label} ${service}`;
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  return `${head}  ${msg}${rest ? ` ${color ? DIM : ''}${rest}${color ? RESET : ''}` : ''}\n${
    typeof stack === 'string' ? `${stack}\n` : ''
  }`;
}
