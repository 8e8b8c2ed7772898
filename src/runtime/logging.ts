import type { Logger } from '../core/logger.js';
import type { Store } from '../core/store.js';
import { type LogShipping, type LogShippingSettings, openLogShipping } from '../logs/shipping.js';
import { teeLogger } from '../logs/tee-logger.js';
import type { AetherConfig } from './config.js';

/** A push or query that takes longer is abandoned (pushes are retried), ms. */
const LOKI_TIMEOUT_MS = 10_000;

/** The process role a node's lines carry as `service`. */
export function serviceName(roles: { gateway: boolean; worker: boolean }): string {
  return roles.gateway && roles.worker ? 'up' : roles.gateway ? 'gateway' : 'worker';
}

export function logShippingSettings(config: AetherConfig): LogShippingSettings {
  const batching = {
    batchSize: config.logBatchSize,
    intervalMs: config.logBatchIntervalMs,
    bufferLines: config.logBufferLines,
  };
  return config.logProvider === 'loki'
    ? {
        ...batching,
        provider: 'loki',
        loki: {
          url: config.lokiUrl,
          tenant: config.lokiTenant,
          basicAuth: config.lokiBasicAuth,
          timeoutMs: LOKI_TIMEOUT_MS,
        },
      }
    : {
        ...batching,
        provider: 'local',
        bound: {
          maxRows: { platform: config.logStoreMaxRows, output: config.logStoreOutputMaxRows },
          maxAgeMs: config.logStoreMaxAgeMs,
        },
      };
}

/**
 * A node's log pipeline and the logger that feeds it: `stderr` keeps writing what it wrote, and
 * every line at the configured level also goes to Loki or the store, with the service and the
 * worker bound. Delivery trouble is reported on `stderr` only, never through the pipeline.
 */
export function openNodeLogging(
  config: AetherConfig,
  stderr: Logger,
  store: Store,
  roles: { gateway: boolean; worker: boolean },
): { shipping: LogShipping; logger: Logger } {
  const quiet = stderr.child({ component: 'log-shipping' });
  const shipping = openLogShipping(logShippingSettings(config), {
    store,
    report: (message, error) => quiet.warn(error === undefined ? {} : { err: error }, message),
  });
  const bindings = { service: serviceName(roles), ...(roles.worker ? { worker: config.workerId } : {}) };
  return { shipping, logger: teeLogger(stderr, shipping.sink, config.logLevel, bindings) };
}
