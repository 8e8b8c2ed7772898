/** Async helpers for the event-bus suite (kept apart from the queue's: the two folders do not import each other). */
import { randomUUID } from 'node:crypto';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 5 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** A channel namespace no other test uses. */
export function uniquePrefix(label: string): string {
  return `${label}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}
