/**
 * What never changes about a record (the project of a VM or task, a task's VM), looked up once
 * per gateway and shared by every feed: a burst of changes to one VM costs one read, however
 * many clients watch it. Bounded: past `maxEntries` the least recently used entry goes.
 */
export class OwnerCache<V> {
  private readonly entries = new Map<string, Promise<V | null>>();

  constructor(private readonly maxEntries: number) {}

  /**
   * The value of `key`, loading it on a miss. Concurrent misses share one load; a record that is
   * not found, or a failed load, is not kept (the next change asks again).
   */
  get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    const known = this.entries.get(key);
    if (known) {
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const forget = () => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    };
    const loading = load().then(
      (value) => {
        if (value === null) forget();
        return value;
      },
      (error: unknown) => {
        forget();
        throw error;
      },
    );
    this.entries.set(key, loading);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return loading;
  }

  /** Records `value` as known (heard with the event itself, so no read is needed). */
  remember(key: string, value: V): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, Promise.resolve(value));
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
