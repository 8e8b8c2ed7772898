import type { Health } from '../api/types.js';
import type { ComponentHealth, ReadinessReport } from './context.js';

/** Our component names where the original system's health answer spelled them otherwise. */
const SEED_COMPONENT_NAMES: Readonly<Record<string, string>> = { events: 'event_bus' };

/**
 * How long one round of checks answers every `/health` call: the route is public and never rate
 * limited, so however often it is called, the backends see one round a second at most.
 */
export const HEALTH_REPORT_MAX_AGE_MS = 1000;

export interface HealthSources {
  /** The backends' checks (each bounded in time by whoever made it); never decides the status code. */
  check: () => Promise<ReadinessReport>;
  /** Each enabled integration as it last saw itself: from memory, no call out. */
  integrations: () => Record<string, ComponentHealth>;
  version: string;
}

function checkOf(component: ComponentHealth): Health['checks'][string] {
  return {
    status: component.ok ? 'healthy' : 'unhealthy',
    detail: component.message,
    ...(component.latency_ms !== undefined ? { latency_ms: component.latency_ms } : {}),
  };
}

async function checkedNow(check: HealthSources['check']): Promise<{ report: ReadinessReport; at: Date }> {
  const report = await check().catch(
    (error: unknown): ReadinessReport => ({
      ok: false,
      components: { checks: { ok: false, message: error instanceof Error ? error.message : String(error) } },
    }),
  );
  return { report, at: new Date() };
}

/**
 * `/health`'s answer: every component with its status and detail, `ok` when all are healthy and
 * `degraded` otherwise. Concurrent calls share one round of checks, and a round is reused for
 * `maxAgeMs`.
 */
export function createHealthReporter(
  sources: HealthSources,
  maxAgeMs = HEALTH_REPORT_MAX_AGE_MS,
  now: () => number = Date.now,
): () => Promise<Health> {
  let round: { startedAt: number; checked: Promise<{ report: ReadinessReport; at: Date }> } | null = null;
  return async () => {
    if (!round || now() - round.startedAt >= maxAgeMs) {
      round = { startedAt: now(), checked: checkedNow(sources.check) };
    }
    const { report, at } = await round.checked;
    const integrations = sources.integrations();
    const checks: Health['checks'] = {};
    for (const [name, component] of Object.entries(report.components)) {
      checks[SEED_COMPONENT_NAMES[name] ?? name] = checkOf(component);
    }
    for (const [name, component] of Object.entries(integrations)) checks[name] = checkOf(component);
    const components = Object.fromEntries(
      Object.entries(checks).map(([name, check]) => [name, check.status]),
    );
    return {
      status: Object.values(checks).every((check) => check.status === 'healthy') ? 'ok' : 'degraded',
      version: sources.version,
      timestamp: at.toISOString(),
      components,
      checks,
      ...(Object.keys(integrations).length > 0 ? { integrations } : {}),
    };
  };
}
