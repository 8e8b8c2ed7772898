/**
 * Who owns a warm-pool member. A member belongs to no VM, so nothing else would ever remove it:
 * each records the driver instance that made it, and a driver sweeping its pool directory treats
 * a member as a leftover once that instance is gone — its process exited (pid and start time
 * no longer match), or, in this very process, the instance was closed. A member's processes end
 * with their owner on their own (lifeline.ts): the sweep removes what is left, its directory,
 * and kills whatever still runs there (a member made before lifelines, a watcher that failed).
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { startTime } from './host-proc.js';

/** Driver instances of this process that are not closed: their pool members are not leftovers. */
const liveInstances = new Set<string>();

/** A new driver instance's identity, live until `releasePoolOwner`. */
export function newPoolOwner(): string {
  const instance = randomBytes(8).toString('hex');
  liveInstances.add(instance);
  return instance;
}

export function releasePoolOwner(instance: string): void {
  liveInstances.delete(instance);
}

/** What a pool member records of its owner: this host process and the driver instance. */
export function poolOwnerText(instance: string): string {
  return JSON.stringify({ pid: process.pid, start: startTime(process.pid), instance });
}

/** True when the driver instance that wrote `text` is gone (or `text` is not an owner record). */
export function poolOwnerGone(text: string): boolean {
  try {
    const owner = JSON.parse(text) as { pid?: unknown; start?: unknown; instance?: unknown };
    if (typeof owner.pid !== 'number' || typeof owner.instance !== 'string') return true;
    if (owner.pid === process.pid) return !liveInstances.has(owner.instance);
    return owner.start === null || startTime(owner.pid) !== owner.start;
  } catch {
    return true;
  }
}

/**
 * Whether a pool member's directory is a leftover to remove: its owner is gone, or it records
 * none and was made more than `ownerlessGraceMs` ago (a member being made may not have written
 * its owner yet; an old one without is what a crash left).
 */
export async function isPoolLeftover(
  member: { dir: string; readOwner(): Promise<string | null> },
  ownerlessGraceMs: number,
): Promise<boolean> {
  const owner = await member.readOwner();
  if (owner !== null) return poolOwnerGone(owner);
  const made = await stat(member.dir).catch(() => null);
  return !made || Date.now() - made.mtimeMs >= ownerlessGraceMs;
}
