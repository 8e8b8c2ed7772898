// The overview's executions, one slot per minute of the window: the API may leave out minutes
// in which nothing ended, and a chart needs them as zeros (counts) or gaps (latency).
import type { ExecutionBucket } from './types';

export interface Minute {
  /** The minute's start, Unix seconds. */
  at: number;
  count: number;
  failed: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

const MINUTE_MS = 60_000;

/**
 * `windowMinutes` slots ending with the current minute, or with the newest bucket when the
 * gateway's clock runs ahead of this browser's.
 */
export function minutesOf(
  buckets: readonly ExecutionBucket[],
  windowMinutes: number,
  now = Date.now(),
): Minute[] {
  const byMinute = new Map<number, ExecutionBucket>();
  let newest = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  for (const bucket of buckets) {
    const start = Math.floor(Date.parse(bucket.at) / MINUTE_MS) * MINUTE_MS;
    if (Number.isNaN(start)) continue;
    byMinute.set(start, bucket);
    newest = Math.max(newest, start);
  }
  const minutes: Minute[] = [];
  for (let i = Math.max(1, windowMinutes) - 1; i >= 0; i--) {
    const start = newest - i * MINUTE_MS;
    const bucket = byMinute.get(start);
    minutes.push({
      at: start / 1000,
      count: bucket?.count ?? 0,
      failed: bucket?.failed ?? 0,
      p50Ms: bucket && bucket.count > 0 ? bucket.p50_ms : null,
      p99Ms: bucket && bucket.count > 0 ? bucket.p99_ms : null,
    });
  }
  return minutes;
}

/** `14:05`, a minute as the tables and sentences name it. */
export function minuteLabel(at: number): string {
  return new Date(at * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
