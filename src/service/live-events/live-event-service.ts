import { AetherError } from '../../core/errors.js';
import type { EventBus, TaskEvent, Unsubscribe } from '../../core/events.js';
import {
  LIVE_EVENT_TYPES,
  type LiveEvent,
  type LiveEventType,
  type LiveFeedReady,
  type LiveTaskEvent,
} from '../../core/live-events.js';
import { type Access, canSee } from '../../core/principal.js';
import type { Store } from '../../core/store.js';
import { EventInbox } from './event-inbox.js';
import { OwnerCache } from './owner-cache.js';

export interface LiveEventDeps {
  store: Pick<Store, 'getVm' | 'getTask'>;
  events: EventBus;
}

export interface LiveEventSettings {
  /** VMs, and tasks, whose owner one process remembers; default 10 000 of each. */
  ownerCacheSize?: number;
}

export interface FollowEventsOptions {
  types: ReadonlySet<LiveEventType>;
  /** Ends the feed (the client left, the gateway closes). */
  signal: AbortSignal;
  /** Events heard but not yet taken by the reader; one more and the feed fails (EventInbox). */
  maxPending: number;
  /** Told at once when the reader falls `maxPending` behind, while it may still be stuck writing. */
  onOverflow(error: AetherError): void;
}

interface TaskOwner {
  project: string;
  vmId: string | null;
}

/**
 * The bus's VM, task and worker events as a live feed for one caller: only what its access may
 * see, in the order they were heard. The bus does not say whose a VM event is, so the project
 * of each VM (and task) is read from the store once and remembered (OwnerCache); a VM or task
 * the store no longer knows is shown to admins only.
 */
export class LiveEventService {
  private readonly vmProjects: OwnerCache<string>;
  private readonly taskOwners: OwnerCache<TaskOwner>;

  constructor(
    private readonly deps: LiveEventDeps,
    settings: LiveEventSettings = {},
  ) {
    const size = settings.ownerCacheSize ?? 10_000;
    this.vmProjects = new OwnerCache(size);
    this.taskOwners = new OwnerCache(size);
  }

  /**
   * The kinds of event a caller gets: those it asked for, or every kind it may see. Worker
   * events are the platform's: asking for them without an admin key is ERR_FORBIDDEN.
   */
  typesFor(access: Access, requested?: readonly LiveEventType[]): ReadonlySet<LiveEventType> {
    if (requested?.includes('worker') && !access.all) {
      throw new AetherError('ERR_FORBIDDEN', 'worker events need an admin key');
    }
    const types = requested ?? LIVE_EVENT_TYPES.filter((type) => type !== 'worker' || access.all);
    return new Set(types);
  }

  /**
   * The feed: `ready` once the subscriptions receive events (a client reads its lists then and
   * misses no change after), then each visible event, until `signal` aborts. Throws when the
   * reader falls too far behind, or when the store cannot say whose a record is.
   */
  async *follow(
    access: Access,
    options: FollowEventsOptions,
  ): AsyncGenerator<LiveEvent | LiveFeedReady, void, undefined> {
    const inbox = new EventInbox<LiveEvent>(options.maxPending, options.onOverflow);
    const subscriptions = this.subscribe(options.types, (event) => inbox.push(event));
    try {
      await this.deps.events.ready?.();
      if (options.signal.aborted) return;
      yield { type: 'ready' };
      for (;;) {
        const event = await inbox.take(options.signal);
        if (!event) return;
        const shown = await this.asSeenBy(access, event);
        if (shown) yield shown;
      }
    } finally {
      for (const unsubscribe of subscriptions) unsubscribe();
    }
  }

  private subscribe(types: ReadonlySet<LiveEventType>, heard: (event: LiveEvent) => void): Unsubscribe[] {
    const { events } = this.deps;
    const subscriptions: Unsubscribe[] = [];
    if (types.has('vm')) {
      subscriptions.push(
        events.subscribe('vm.status', (e) =>
          heard({ type: 'vm', vmId: e.vmId, status: e.status, reason: e.reason, at: new Date() }),
        ),
      );
    }
    if (types.has('task')) {
      subscriptions.push(events.subscribe('task.updated', (e) => heard(this.taskEventOf(e))));
    }
    if (types.has('worker')) {
      subscriptions.push(
        events.subscribe('worker.joined', (e) =>
          heard({ type: 'worker', workerId: e.workerId, event: 'joined', at: new Date() }),
        ),
        events.subscribe('worker.left', (e) =>
          heard({
            type: 'worker',
            workerId: e.workerId,
            event: 'left',
            status: e.status,
            reason: e.reason,
            at: new Date(),
          }),
        ),
      );
    }
    return subscriptions;
  }

  private taskEventOf(event: TaskEvent): LiveTaskEvent {
    // An in-process bus passes the record along: its owner then needs no read.
    if (event.record) {
      this.taskOwners.remember(event.taskId, { project: event.record.project, vmId: event.record.vmId });
    }
    return {
      type: 'task',
      taskId: event.taskId,
      taskType: event.type,
      status: event.status,
      vmId: null,
      errorCode: event.error?.code ?? null,
      at: new Date(),
    };
  }

  /** The event as `access` may see it, or null when it may not. */
  private async asSeenBy(access: Access, event: LiveEvent): Promise<LiveEvent | null> {
    switch (event.type) {
      case 'worker':
        return access.all ? event : null;
      case 'vm': {
        if (access.all) return event;
        const project = await this.vmProjects.get(event.vmId, async () => {
          const vm = await this.deps.store.getVm(event.vmId);
          return vm?.project ?? null;
        });
        return project !== null && canSee(access, project) ? event : null;
      }
      case 'task': {
        const owner = await this.taskOwners.get(event.taskId, async () => {
          const task = await this.deps.store.getTask(event.taskId);
          return task ? { project: task.project, vmId: task.vmId } : null;
        });
        if (owner === null) return access.all ? event : null;
        return canSee(access, owner.project) ? { ...event, vmId: owner.vmId } : null;
      }
    }
  }
}
