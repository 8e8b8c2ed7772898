/**
 * An HTTP load from a process of its own (autocannon, keep-alive connections, one request at a
 * time on each), so the load generator shares no event loop with what it measures.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const AUTOCANNON = path.join(
  path.dirname(createRequire(import.meta.url).resolve('autocannon')),
  'autocannon.js',
);

export interface Load {
  requestsPerSecond: number;
  /** autocannon's percentiles are whole milliseconds: 0 is under 1 ms. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
}

/** `connections` keep-alive connections on `url` for `seconds`; `headers` as `name=value`. */
export async function httpLoad(
  url: string,
  seconds: number,
  connections: number,
  headers: string[] = [],
): Promise<Load> {
  const args = [AUTOCANNON, '-j', '-c', String(connections), '-d', String(seconds)];
  for (const header of headers) args.push('-H', header);
  const { stdout } = await run(process.execPath, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number; average: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
