import { setTimeout as sleep } from 'node:timers/promises';
import { isAetherError } from '../core/errors.js';
import type { HandlerContext } from './context.js';

/**
 * Runs a store write that records work already done (a result, a failure), retrying while the
 * store is unreachable: the work cannot be undone, so losing its record to a database restart
 * would leave the task `processing` for nobody. Gives up after twice the worker's lease; by then
 * the worker's own sweep of unfinished tasks takes over.
 */
export async function persistently<T>(
  ctx: HandlerContext,
  what: string,
  write: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + 2 * ctx.settings.leaseMs;
  let delayMs = 100;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      const unavailable = isAetherError(error) && error.code === 'ERR_STORE_UNAVAILABLE';
      if (!unavailable || Date.now() + delayMs > deadline) throw error;
      ctx.logger.warn({ err: error, delayMs }, `store unreachable while recording ${what}; retrying`);
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 2000);
    }
  }
}
