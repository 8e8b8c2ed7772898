/**
 * The node's event-loop delay under load, from its own /metrics: prom-client's default metrics
 * sample it with perf_hooks.monitorEventLoopDelay and reset the histogram at every scrape, so a
 * scrape before a run and one after it give the delay during that run.
 */
import type { AetherClient } from '@aetherium/sdk';

export interface EventLoopLag {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The sampling interval (prom-client's default `eventLoopMonitoringPrecision`) is part of each
 * sample: an idle loop reads about this much.
 */
export const SAMPLING_INTERVAL_MS = 10;

function gaugeMs(text: string, name: string): number | null {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) * 1000 : null;
}

/** Starts a window: the scrape resets the node's histogram. */
export async function resetEventLoopLag(client: AetherClient): Promise<void> {
  await client.metrics();
}

/** The delay since the last scrape; null when the node does not export it. */
export async function readEventLoopLag(client: AetherClient): Promise<EventLoopLag | null> {
  const text = await client.metrics();
  const p50Ms = gaugeMs(text, 'nodejs_eventloop_lag_p50_seconds');
  const p99Ms = gaugeMs(text, 'nodejs_eventloop_lag_p99_seconds');
  const maxMs = gaugeMs(text, 'nodejs_eventloop_lag_max_seconds');
  return p50Ms === null || p99Ms === null || maxMs === null ? null : { p50Ms, p99Ms, maxMs };
}
