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

/**
 * What a line is, for retention: the platform's own lines (every log call of every process), or
 * a line of output of a command it ran. They are kept and dropped apart, so that a flood of
 * command output never pushes the platform's warnings out.
 */
export const LOG_KINDS = ['platform', 'output'] as const;
export type LogKind = (typeof LOG_KINDS)[number];

/** `fields.source` of a line of command output: what tells the kinds apart on the wire too. */
export const OUTPUT_LOG_SOURCE = 'output';

export function logKindOf(record: LogRecord): LogKind {
  return record.fields.source === OUTPUT_LOG_SOURCE ? 'output' : 'platform';
}

/** How many of `records` are of each kind. */
export function countByKind(records: readonly LogRecord[]): Record<LogKind, number> {
  const counts: Record<LogKind, number> = { platform: 0, output: 0 };
  for (const record of records) counts[logKindOf(record)]++;
  return counts;
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

/** What the store keeps of its log table: a row cap per kind, and an age for every line. */
export interface LogRetention {
  maxRows: Readonly<Record<LogKind, number>>;
  /** Lines older than this go, whatever their kind. */
  olderThan: Date;
}

/** What one prune deleted. */
export interface LogPruneResult {
  /** Lines past the age bound. */
  expired: number;
  /** Lines past their kind's row cap (the oldest of that kind), per kind. */
  overCap: Record<LogKind, number>;
}

/** Where queries are answered. Unreachable backend: ERR_LOGS_UNAVAILABLE. */
export interface LogReader {
  query(query: LogQuery): Promise<LogLine[]>;
}

/**
 * Why lines were lost: `buffer_full`, the shipper's buffer overflowed (the backend was down or
 * slower than the writes); `rejected`, the backend refused a batch for good; `store_full`, the
 * store's table held more lines of that kind than its cap (`provider: local`). Lines that
 * outlived the configured age are not counted: that is retention doing what it was told.
 */
export const LOG_DROP_REASONS = ['buffer_full', 'rejected', 'store_full'] as const;
export type LogDropReason = (typeof LOG_DROP_REASONS)[number];

/** What a shipper reports, for the `aether_log_*` metrics. */
export interface LogShippingObserver {
  /** Lines of one kind dropped, and why. */
  dropped(count: number, reason: LogDropReason, kind: LogKind): void;
  /** Lines delivered. */
  shipped(count: number): void;
  /** A delivery attempt that failed and will be tried again. */
  retried(): void;
}

export const NO_LOG_OBSERVER: LogShippingObserver = { dropped() {}, shipped() {}, retried() {} };
