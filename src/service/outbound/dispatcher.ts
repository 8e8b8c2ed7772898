/**
 * The loop that sends the outbox. Every gateway runs one; a delivery is claimed by one of them
 * at a time (store: claimOutboundDeliveries), posted, and settled under that claim. A gateway
 * that dies mid-attempt leaves its claim to lapse, and the delivery is sent again with the same
 * id: delivery is at least once, and receivers drop repeats by `X-Aether-Delivery`.
 */
import type { Logger } from '../../core/logger.js';
import { type AttemptOutcome, type ClaimedDelivery, retryDelayMs } from '../../core/outbound-webhooks.js';
import type { Store } from '../../core/store.js';
import type { AddressPolicy } from './address-policy.js';
import { type PostResult, postDelivery } from './post-delivery.js';

export interface DispatcherSettings {
  /** Longest wait for an answer. */
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Retries stop this long after the delivery was queued. */
  retryForMs: number;
  pollIntervalMs: number;
  /** Deliveries claimed (and posted concurrently) per round; default 16. */
  batchSize?: number;
}

export interface DispatcherDeps {
  store: Pick<Store, 'claimOutboundDeliveries' | 'settleOutboundDelivery'>;
  policy: AddressPolicy;
  logger: Logger;
}

/** A claim outlives the longest attempt by this much, so a slow attempt is never sent twice at once. */
const LEASE_MARGIN_MS = 30_000;

/** 2xx delivered; 429, 5xx and no answer are retried; any other answer fails at once. */
export function judge(result: PostResult, attempt: number, settings: DispatcherSettings): AttemptOutcome {
  const retry = (statusCode: number | null, error: string): AttemptOutcome => ({
    kind: 'retry',
    statusCode,
    error,
    delayMs: retryDelayMs(attempt, settings.retryBaseMs, settings.retryMaxMs),
    retryForMs: settings.retryForMs,
  });
  if (!result.answered) {
    return result.refused
      ? { kind: 'failed', statusCode: null, error: result.error }
      : retry(null, result.error);
  }
  const { statusCode } = result;
  if (statusCode >= 200 && statusCode < 300) return { kind: 'delivered', statusCode };
  if (statusCode === 429 || statusCode >= 500)
    return retry(statusCode, `the receiver answered ${statusCode}`);
  const why = statusCode >= 300 && statusCode < 400 ? ' (redirects are not followed)' : '';
  return { kind: 'failed', statusCode, error: `the receiver answered ${statusCode}${why}` };
}

async function attempt(
  claimed: ClaimedDelivery,
  deps: DispatcherDeps,
  settings: DispatcherSettings,
): Promise<void> {
  const { delivery } = claimed;
  const result = await postDelivery(claimed, deps.policy, settings.timeoutMs);
  const outcome = judge(result, delivery.attempts, settings);
  const settled = await deps.store.settleOutboundDelivery(delivery.id, delivery.attempts, outcome);
  const log = {
    deliveryId: delivery.id,
    event: delivery.event,
    attempt: delivery.attempts,
    outcome: outcome.kind,
  };
  if (!settled) deps.logger.warn(log, 'webhook delivery claim lapsed before the attempt was recorded');
  else if (settled.status === 'failed')
    deps.logger.warn({ ...log, error: settled.lastError }, 'webhook delivery failed');
  else deps.logger.debug(log, 'webhook delivery attempted');
}

/** Claims and sends due deliveries until none is due; returns how many it attempted. */
export async function dispatchDue(deps: DispatcherDeps, settings: DispatcherSettings): Promise<number> {
  const batch = settings.batchSize ?? 16;
  const leaseMs = settings.timeoutMs + LEASE_MARGIN_MS;
  let total = 0;
  for (;;) {
    const claimed = await deps.store.claimOutboundDeliveries(batch, leaseMs);
    await Promise.all(claimed.map((one) => attempt(one, deps, settings)));
    total += claimed.length;
    if (claimed.length < batch) return total;
  }
}

/** Runs `dispatchDue` every `pollIntervalMs` until stopped; a stop waits for the round in flight. */
export function startWebhookDispatcher(
  deps: DispatcherDeps,
  settings: DispatcherSettings,
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const round = async () => {
    try {
      await dispatchDue(deps, settings);
    } catch (error) {
      deps.logger.warn({ err: error }, 'webhook dispatch failed; will try again');
    }
  };
  const timer = setInterval(() => {
    running ??= round().finally(() => {
      running = null;
    });
  }, settings.pollIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
