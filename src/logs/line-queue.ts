import { LOG_KINDS, type LogKind, type LogRecord, logKindOf } from '../core/logs.js';

/**
 * A first-in first-out list read from a moving head, so dropping its oldest item (on every
 * write while the backend is down) is O(1), not a shift of the whole array.
 */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item !== undefined) this.drop(1);
    return item;
  }

  /** Forgets the oldest `count` items. */
  drop(count: number): void {
    this.head += Math.min(count, this.length);
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Puts items back in front, oldest first. */
  prepend(items: readonly T[]): void {
    if (items.length === 0) return;
    this.items = [...items, ...this.items.slice(this.head)];
    this.head = 0;
  }
}

interface Queued {
  /** Write order across both kinds: lines leave in the order they were written. */
  seq: number;
  record: LogRecord;
}

/**
 * The shipper's buffer: lines leave in write order, but each kind waits in a list of its own,
 * so that when the buffer is full the oldest command output is dropped first and the platform's
 * own lines only once no output is left. A flood of output then costs output, not warnings.
 */
export class LineQueue {
  private readonly kinds: Record<LogKind, Fifo<Queued>> = { platform: new Fifo(), output: new Fifo() };
  /** The next write's position. */
  private next = 0;
  /** Below every queued line's position: where lines put back in front go. */
  private first = 0;

  get length(): number {
    return this.kinds.platform.length + this.kinds.output.length;
  }

  push(record: LogRecord): void {
    this.kinds[logKindOf(record)].push({ seq: this.next++, record });
  }

  /** Removes and returns the oldest `count` lines, in write order. */
  take(count: number): LogRecord[] {
    const taken: LogRecord[] = [];
    const { platform, output } = this.kinds;
    while (taken.length < count) {
      const p = platform.peek();
      const o = output.peek();
      if (!p && !o) break;
      const from = !o || (p && p.seq < o.seq) ? platform : output;
      taken.push(from.shift()!.record);
    }
    return taken;
  }

  /** Drops `count` lines, the oldest output first, then the oldest platform lines; says how many of each. */
  dropOldest(count: number): Record<LogKind, number> {
    const dropped: Record<LogKind, number> = { platform: 0, output: 0 };
    let left = count;
    for (const kind of ['output', 'platform'] as const) {
      const n = Math.min(left, this.kinds[kind].length);
      this.kinds[kind].drop(n);
      dropped[kind] = n;
      left -= n;
    }
    return dropped;
  }

  /** Puts lines back in front, oldest first (a batch that failed). */
  restore(batch: readonly LogRecord[]): void {
    const back: Record<LogKind, Queued[]> = { platform: [], output: [] };
    this.first -= batch.length;
    for (const [i, record] of batch.entries()) back[logKindOf(record)].push({ seq: this.first + i, record });
    for (const kind of LOG_KINDS) this.kinds[kind].prepend(back[kind]);
  }

  /** Empties the buffer; says how many lines of each kind it held. */
  clear(): Record<LogKind, number> {
    return this.dropOldest(this.length);
  }
}
