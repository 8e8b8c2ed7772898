/**
 * What instances opened with the same prefix share in this process: their queue names and the
 * tasks in them, as separate processes share a Redis or PostgreSQL backend. A namespace lives
 * while some instance holds it; when the last one closes its tasks and timers go too (the store
 * is the record, and its reconciler re-enqueues whatever it still calls pending).
 */
import type { PriorityCounts } from '../../core/queue.js';
import { Channel, type Counts } from './channel.js';
import { zeroCounts } from './waiting-list.js';

export class Namespace {
  private readonly channels = new Map<string, Channel>();
  holders = 0;

  /** The channel of `queueName`, created on first use (enqueue or consume). */
  channel(queueName: string): Channel {
    let channel = this.channels.get(queueName);
    if (!channel) {
      channel = new Channel(queueName);
      this.channels.set(queueName, channel);
    }
    return channel;
  }

  /** The named channel if it exists, else every channel: lookups never create one. */
  select(queueName: string | undefined): Channel[] {
    if (queueName === undefined) return [...this.channels.values()];
    const channel = this.channels.get(queueName);
    return channel ? [channel] : [];
  }

  cancel(taskId: string, reason: string): boolean {
    for (const channel of this.channels.values()) if (channel.cancel(taskId, reason)) return true;
    return false;
  }

  counts(queueName: string | undefined): Counts {
    const total: Counts = { waiting: 0, active: 0, delayed: 0, failed: 0 };
    for (const channel of this.select(queueName)) {
      const c = channel.counts();
      total.waiting += c.waiting;
      total.active += c.active;
      total.delayed += c.delayed;
      total.failed += c.failed;
    }
    return total;
  }

  /** Waiting tasks per queue name and priority; a named queue that was never used is all zeros. */
  depth(queueName: string | undefined): Record<string, PriorityCounts> {
    const depth: Record<string, PriorityCounts> = {};
    if (queueName !== undefined) depth[queueName] = zeroCounts();
    for (const channel of this.select(queueName)) depth[channel.name] = channel.depth();
    return depth;
  }

  dispose(): void {
    for (const channel of this.channels.values()) channel.dispose();
    this.channels.clear();
  }
}

const namespaces = new Map<string, Namespace>();

export function acquireNamespace(prefix: string): Namespace {
  let namespace = namespaces.get(prefix);
  if (!namespace) {
    namespace = new Namespace();
    namespaces.set(prefix, namespace);
  }
  namespace.holders++;
  return namespace;
}

export function releaseNamespace(prefix: string, namespace: Namespace): void {
  namespace.holders--;
  if (namespace.holders > 0 || namespaces.get(prefix) !== namespace) return;
  namespaces.delete(prefix);
  namespace.dispose();
}
