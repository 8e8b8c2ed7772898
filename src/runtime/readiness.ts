import type { EventBus } from '../core/events.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import type { ComponentHealth, ReadinessReport } from '../gateway/context.js';

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

/** Checks every component at once, each within `timeoutMs`. */
export function readinessCheck(
  sources: ReadinessSources,
  timeoutMs = READINESS_CHECK_TIMEOUT_MS,
): () => Promise<ReadinessReport> {
  const { store, queue, events } = sources;
  return async () => {
    const [storeHealth, queueHealth, eventsHealth, workersHealth] = await Promise.all([
      timed(() => store.ping().then(() => store.kind), timeoutMs),
      timed(() => queue.ping().then(() => queue.kind), timeoutMs),
      timed(() => events.ping().then(() => 'ok'), timeoutMs),
      timed(() => checkWorkers(store), timeoutMs),
    ]);
    const components = {
      store: storeHealth,
      queue: queueHealth,
      events: eventsHealth,
      workers: workersHealth,
    };
    return { ok: Object.values(components).every((c) => c.ok), components };
  };
}
