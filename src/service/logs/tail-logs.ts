import { setTimeout as sleep } from 'node:timers/promises';
import type { LogFilter, LogLine, LogReader } from '../../core/logs.js';

/** Lines reach the backend in batches, up to a batch interval late: each poll looks this far back. */
export const LOG_TAIL_LOOKBACK_MS = 15_000;
/** Lines one poll reads at most; past it a tail skips the older ones rather than fall behind. */
const POLL_LIMIT = 1000;

export interface TailLogsOptions {
  /** How many of the lines already there to yield first, oldest first. */
  backlog: number;
  pollIntervalMs: number;
  /** Aborted when the reader leaves or its process closes: the iteration ends. */
  signal: AbortSignal;
}

/**
 * Follows the logs by polling the reader (the store or Loki: a tail works wherever the writer
 * runs, on any host): the backlog, then each new matching line, oldest first. Each poll reads
 * the last LOG_TAIL_LOOKBACK_MS, since lines arrive a batch late, and yields only lines it has
 * not yielded. It never ends by itself; it throws when the reader fails.
 */
export async function* tailLogs(
  reader: LogReader,
  filter: LogFilter,
  options: TailLogsOptions,
): AsyncGenerator<LogLine, void, undefined> {
  const { signal } = options;
  const sent = new Map<string, number>();
  let newest = Date.now();
  // What is already there is not new: only the backlog of it is yielded.
  const present = await reader.query({
    ...filter,
    start: new Date(Date.now() - LOG_TAIL_LOOKBACK_MS),
    limit: POLL_LIMIT,
    order: 'desc',
  });
  for (const line of present) sent.set(line.id, line.time.getTime());
  if (options.backlog > 0) {
    const backlog = await reader.query({ ...filter, limit: options.backlog, order: 'desc' });
    for (const line of backlog.reverse()) {
      sent.set(line.id, line.time.getTime());
      yield line;
    }
  }
  while (!signal.aborted) {
    try {
      await sleep(options.pollIntervalMs, undefined, { signal });
    } catch {
      return;
    }
    const since = newest - LOG_TAIL_LOOKBACK_MS;
    const fresh = await reader.query({ ...filter, start: new Date(since), limit: POLL_LIMIT, order: 'desc' });
    for (const line of fresh.reverse()) {
      if (sent.has(line.id)) continue;
      sent.set(line.id, line.time.getTime());
      newest = Math.max(newest, line.time.getTime());
      yield line;
    }
    for (const [id, at] of sent) if (at < since) sent.delete(id);
  }
}
