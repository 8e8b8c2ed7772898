// The filters of `aether logs`, read from the page's URL under the CLI's own flag names, so
// `aether logs --vm web --level warn --since 1h` and `/logs?vm=web&level=warn&since=1h` say the
// same thing.
import { LOG_LEVELS, type LogLevel, type LogQueryRequest } from './log-requests';

/** What both the history search and the live tail are asked for. */
export type LogFilter = Pick<LogQueryRequest, 'vm_id' | 'task_id' | 'execution_id' | 'level' | 'text'>;

export interface LogView {
  filter: LogFilter;
  /** Only lines from this long ago (history only: a tail is always "from now"). */
  sinceMs: number | undefined;
}

/** The URL parameters, named as the CLI's flags. */
export const LOG_PARAMS = {
  vm: 'vm',
  task: 'task',
  execution: 'execution',
  level: 'level',
  grep: 'grep',
  since: 'since',
} as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `2h`, `1d` as milliseconds, as `aether logs --since` reads it. */
export function parseSince(text: string): number {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  const unit = match ? UNIT_MS[match[2] as string] : undefined;
  if (!match || unit === undefined) {
    throw new Error(`Since: use a duration such as 30s, 10m, 2h or 1d, not "${text}"`);
  }
  return Number(match[1]) * unit;
}

function parseLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text.toLowerCase());
  if (!level) throw new Error(`Level: use one of ${LOG_LEVELS.join(', ')}, not "${text}"`);
  return level;
}

/**
 * The view a URL asks for. A malformed level or duration throws with a message naming the
 * filter; ids and text are checked by the API, which answers with its own code.
 */
export function logViewOf(query: URLSearchParams): LogView {
  const value = (name: string) => query.get(name)?.trim() || undefined;
  const level = value(LOG_PARAMS.level);
  const since = value(LOG_PARAMS.since);
  const filter: LogFilter = {};
  const vm = value(LOG_PARAMS.vm);
  const task = value(LOG_PARAMS.task);
  const execution = value(LOG_PARAMS.execution);
  const grep = query.get(LOG_PARAMS.grep) || undefined;
  if (vm) filter.vm_id = vm;
  if (task) filter.task_id = task;
  if (execution) filter.execution_id = execution;
  if (level) filter.level = parseLevel(level);
  if (grep) filter.text = grep;
  return { filter, sinceMs: since ? parseSince(since) : undefined };
}
