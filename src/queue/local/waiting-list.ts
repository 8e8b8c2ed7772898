/**
 * The waiting tasks of one queue name in delivery order: by priority rank (critical first), FIFO
 * within a rank. One array per rank with a moving head gives O(1) push and shift; removal by id
 * (for `cancel`) leaves a tombstone that `shift` skips. A Map per rank would read simpler, but
 * taking a Map's first key after many deletions scans the deleted slots: quadratic on a backlog.
 */
import type { PriorityCounts } from '../../core/queue.js';
import { PRIORITY_RANK, TASK_PRIORITIES, type TaskPriority } from '../../core/task.js';

export interface WaitingItem {
  readonly taskId: string;
  readonly priority: TaskPriority;
}

interface Bucket<T> {
  items: T[];
  head: number;
}

/** Compact a bucket once this many shifted slots sit before its head (and they are half of it). */
const COMPACT_AFTER = 1024;

const DELIVERY_ORDER: readonly TaskPriority[] = [...TASK_PRIORITIES].sort(
  (a, b) => PRIORITY_RANK[a] - PRIORITY_RANK[b],
);

export class WaitingList<T extends WaitingItem> {
  private readonly buckets: ReadonlyMap<TaskPriority, Bucket<T>> = new Map(
    DELIVERY_ORDER.map((priority) => [priority, { items: [], head: 0 }]),
  );
  /** The items really waiting, by id: an array slot whose item is not here is a tombstone. */
  private readonly live = new Map<string, T>();
  /** Live items per priority, kept as they come and go so a scrape of the depth costs nothing. */
  private readonly perPriority = zeroCounts();

  get size(): number {
    return this.live.size;
  }

  /** How many items wait at each priority. */
  sizeByPriority(): PriorityCounts {
    return { ...this.perPriority };
  }

  push(item: T): void {
    this.live.set(item.taskId, item);
    this.perPriority[item.priority]++;
    this.buckets.get(item.priority)?.items.push(item);
  }

  /** Takes the next item to deliver, or `undefined` when nothing waits. */
  shift(): T | undefined {
    if (this.live.size === 0) return undefined;
    for (const bucket of this.buckets.values()) {
      while (bucket.head < bucket.items.length) {
        const item = bucket.items[bucket.head]!;
        bucket.head++;
        if (this.live.get(item.taskId) !== item) continue;
        this.live.delete(item.taskId);
        this.perPriority[item.priority]--;
        compact(bucket);
        return item;
      }
      compact(bucket);
    }
    return undefined;
  }

  /** Removes a waiting item; false when no item with this id waits. */
  delete(taskId: string): boolean {
    const item = this.live.get(taskId);
    if (!item) return false;
    this.live.delete(taskId);
    this.perPriority[item.priority]--;
    return true;
  }

  clear(): void {
    this.live.clear();
    Object.assign(this.perPriority, zeroCounts());
    for (const bucket of this.buckets.values()) {
      bucket.items = [];
      bucket.head = 0;
    }
  }
}

/** Every priority at zero. */
export function zeroCounts(): PriorityCounts {
  return Object.fromEntries(TASK_PRIORITIES.map((priority) => [priority, 0])) as PriorityCounts;
}

function compact<T>(bucket: Bucket<T>): void {
  if (bucket.head === bucket.items.length) {
    bucket.items = [];
    bucket.head = 0;
  } else if (bucket.head >= COMPACT_AFTER && bucket.head * 2 >= bucket.items.length) {
    bucket.items = bucket.items.slice(bucket.head);
    bucket.head = 0;
  }
}
