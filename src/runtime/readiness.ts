import type { EventBus } from '../core/events.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import type { ComponentHealth, ReadinessReport } from '../gateway/context.js';
import { type LokiSettings, lokiEndpoint, lokiHeaders } from '../logs/loki-settings.js';

/** What `/ready` checks: everything a request needs on its way to a VM. */
export interface ReadinessSources {
  store: Store;
  queue: TaskQueue;
  events: EventBus;
}

/** Longest one check may take: a backend that hangs is as unready as one that refuses. */
export const READINESS_CHECK_TIMEOUT_MS = 3000;

async function timed(check: () => Promise<string>, timeoutMs: number): Promise<ComponentHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const message = await Promise.race([check(), deadline]);
    return { ok: true, message, latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return {
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      latency_ms: Math.round((performance.now() - started) * 10) / 10,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Work reaches a VM only through an active worker: `vm:create` goes to the shared queue, which
 * every active worker consumes. Draining, stopped and dead workers take nothing new.
 */
async function checkWorkers(store: Store): Promise<string> {
  const workers = await store.listWorkers();
  const active = workers.filter((w) => w.status === 'active' && w.capacity > 0 && w.drivers.length > 0);
  if (active.length > 0) return `${active.length} active of ${workers.length} registered`;
  if (workers.length === 0) throw new Error('no worker has registered; start one (aether worker)');
  const byStatus = new Map<string, number>();
  for (const w of workers) byStatus.set(w.status, (byStatus.get(w.status) ?? 0) + 1);
  const seen = [...byStatus].map(([status, n]) => `${n} ${status}`).join(', ');
  throw new Error(`no active worker to take vm:create (${seen})`);
}

/** Loki's own readiness endpoint, with the credentials pushes carry. */
async function checkLoki(settings: LokiSettings, timeoutMs: number): Promise<string> {
  const res = await fetch(lokiEndpoint(settings, '/ready'), {
    headers: lokiHeaders(settings),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = (await res.text().catch(() => '')).trim().slice(0, 200);
  if (!res.ok) throw new Error(`Loki answered ${res.status}${text ? `: ${text}` : ''}`);
  return text || 'ready';
}

/** Runs every check at once, each within `timeoutMs`. */
async function checkAll(
  checks: Record<string, () => Promise<string>>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => timed(checks[name]!, timeoutMs)));
  const components = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
  return { ok: results.every((c) => c.ok), components };
}

function readinessChecks({ store, queue, events }: ReadinessSources): Record<string, () => Promise<string>> {
  return {
    store: () => store.ping().then(() => store.kind),
    queue: () => queue.ping().then(() => queue.kind),
    events: () => events.ping().then(() => 'ok'),
    workers: () => checkWorkers(store),
  };
}

/** Checks every component at once, each within `timeoutMs`. */
export function readinessCheck(
  sources: ReadinessSources,
  timeoutMs = READINESS_CHECK_TIMEOUT_MS,
): () => Promise<ReadinessReport> {
  const checks = readinessChecks(sources);
  return () => checkAll(checks, timeoutMs);
}

/**
 * Longest one check of `/health` may take: liveness probes give up after a second by default,
 * and the answer must come well within it whatever a backend does.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 500;

/**
 * What `/health` reports: readiness's components, plus Loki when logs go there (a request does
 * not need it: lines wait in the shipper's buffer), each within `timeoutMs`.
 */
export function healthCheck(
  sources: ReadinessSources & { loki?: LokiSettings },
  timeoutMs = HEALTH_CHECK_TIMEOUT_MS,
): () => Promise<ReadinessReport> {
  const { loki } = sources;
  const checks = {
    ...readinessChecks(sources),
    ...(loki ? { loki: () => checkLoki(loki, timeoutMs) } : {}),
  };
  return () => checkAll(checks, timeoutMs);
}
