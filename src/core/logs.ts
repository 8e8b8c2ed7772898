/**
 * The platform's own logs as data: what every process ships (its log lines and the output of the
 * commands it runs) and what `POST /logs/query` and `GET /logs/stream` answer. Where they go and
 * come from is the logs layer's business (Loki, or the store's bounded `log_entries` table).
 */

/** pino's levels, lowest first; a query's `level` is a minimum. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** pino's numbers for the levels: what the store keeps, so "at least warn" is one comparison. */
export const LOG_LEVEL_NUMBERS: Readonly<Record<LogLevel, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** The level of a pino number (a number between two levels rounds down). */
export function logLevelOf(value: number): LogLevel {
  let found: LogLevel = 'trace';
  for (const level of LOG_LEVELS) if (value >= LOG_LEVEL_NUMBERS[level]) found = level;
  return found;
}

/** The levels at or above `min`, lowest first. */
export function levelsFrom(min: LogLevel): LogLevel[] {
  return LOG_LEVELS.filter((l) => LOG_LEVEL_NUMBERS[l] >= LOG_LEVEL_NUMBERS[min]);
}

/**
 * One log line. `project` is the project whose resource it is about (a task's, a VM's); null for
 * the platform's own lines, which only admins see. `fields` holds everything else it carried.
 */
export interface LogRecord {
  time: Date;
  level: LogLevel;
  /** The process role that wrote it: `gateway`, `worker`, `up` (both), `cli`, ... */
  service: string;
  project: string | null;
  worker: string | null;
  vmId: string | null;
  taskId: string | null;
  executionId: string | null;
  message: string;
  fields: Record<string, unknown>;
}

/** A line as a reader returns it: `id` tells apart lines of the same instant (tails use it). */
export interface LogLine extends LogRecord {
  id: string;
}

/** Which lines a query wants; every filter given must match. */
export interface LogFilter {
  /** Only this project's lines; undefined = every project and the platform's (admins). */
  project?: string;
  vmId?: string;
  taskId?: string;
  executionId?: string;
  /** At least this level. */
  minLevel?: LogLevel;
  /** Lines whose message contains this text (case-sensitive, as LogQL's `|=`). */
  text?: string;
  /** From this instant, inclusive. */
  start?: Date;
  /** Before this instant, exclusive. */
  end?: Date;
}

export interface LogQuery extends LogFilter {
  limit: number;
  /** `desc`: the newest `limit` lines, newest first; `asc`: the oldest, oldest first. */
  order: 'asc' | 'desc';
}

/**
 * Where lines go. `write` must return at once and never throw: it is on the path of every log
 * call and of every chunk of command output, so shipping happens later, in batches.
 */
export interface LogSink {
  write(record: LogRecord): void;
}

export const NO_LOG_SINK: LogSink = { write() {} };

/** Where queries are answered. Unreachable backend: ERR_LOGS_UNAVAILABLE. */
export interface LogReader {
  query(query: LogQuery): Promise<LogLine[]>;
}

/** What a shipper reports, for the `aether_log_*` metrics. */
export interface LogShippingObserver {
  /** Lines dropped: the buffer was full (oldest first), or a batch was refused for good. */
  dropped(count: number, reason: 'buffer_full' | 'rejected'): void;
  /** Lines delivered. */
  shipped(count: number): void;
  /** A delivery attempt that failed and will be tried again. */
  retried(): void;
}

export const NO_LOG_OBSERVER: LogShippingObserver = { dropped() {}, shipped() {}, retried() {} };
