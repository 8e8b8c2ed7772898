// The lines a log page keeps: the newest `capacity` of them, oldest first, each once. A tail that
// reconnects asks for a backlog that overlaps what is shown; the ids make that overlap harmless.
import type { Schemas } from '../../lib/api';

export type LogLine = Schemas['LogLine'];

export interface LogWindow {
  readonly lines: readonly LogLine[];
  /** How many lines were dropped, oldest first, to stay within the capacity. */
  readonly dropped: number;
}

export const emptyLogWindow: LogWindow = { lines: [], dropped: 0 };

/** Where `line` goes among `lines` (sorted by time): after every line of the same instant or older. */
function insertionIndex(lines: readonly LogLine[], time: string): number {
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((lines[middle] as LogLine).time <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * `window` with `incoming` added: lines already there (same id) are skipped, the rest placed by
 * time (ISO 8601 UTC strings sort as text), and the oldest dropped past `capacity`.
 */
export function addLines(window: LogWindow, incoming: readonly LogLine[], capacity: number): LogWindow {
  if (incoming.length === 0) return window;
  const seen = new Set(window.lines.map((line) => line.id));
  const lines = window.lines.slice();
  for (const line of incoming) {
    if (seen.has(line.id)) continue;
    seen.add(line.id);
    const last = lines[lines.length - 1];
    // New lines almost always come last; only a backlog after a reconnect lands in between.
    if (!last || last.time <= line.time) lines.push(line);
    else lines.splice(insertionIndex(lines, line.time), 0, line);
  }
  const excess = Math.max(0, lines.length - capacity);
  return { lines: excess ? lines.slice(excess) : lines, dropped: window.dropped + excess };
}
