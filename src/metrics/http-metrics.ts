import { Histogram, type Registry } from 'prom-client';

/** One answered HTTP request. */
export interface HttpObservation {
  /** The route's pattern (`/api/v1/vms/:id`), never the raw URL: one series per route, not per id. */
  route: string;
  method: string;
  status: number;
  seconds: number;
}

export interface HttpMetrics {
  observe(request: HttpObservation): void;
}

/** The route label of requests no route matched (404s): one series for every unknown path. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Up to five minutes: a `?wait=true` request holds its answer until the task ends. */
const BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Requests by route, method and status; the histogram's `_count` is the request count. */
export function createHttpMetrics(registry: Registry): HttpMetrics {
  const duration = new Histogram({
    name: 'aether_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to sending its answer, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: BUCKETS_SECONDS,
    registers: [registry],
  });
  return {
    observe({ route, method, status, seconds }) {
      duration.observe({ route, method, status: String(status) }, seconds);
    },
  };
}
