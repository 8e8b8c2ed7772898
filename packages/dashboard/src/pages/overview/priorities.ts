import type { PriorityDepth } from './types';

/** Priorities in the order a reader expects, highest first; names the queue adds come after. */
const PRIORITY_ORDER = ['critical', 'high', 'normal', 'default', 'low'];

export function priorityNames(...depths: PriorityDepth[]): string[] {
  const names = new Set(depths.flatMap((depth) => Object.keys(depth)));
  const known = PRIORITY_ORDER.filter((name) => names.has(name));
  const others = [...names].filter((name) => !PRIORITY_ORDER.includes(name)).sort();
  return [...known, ...others];
}
