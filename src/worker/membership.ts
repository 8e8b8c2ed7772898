import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../core/store.js';
import type { WorkerRecord, WorkerRegistration } from '../core/worker.js';
import type { HeartbeatOutcome } from '../metrics/worker-metrics.js';

export interface MembershipSettings {
  heartbeatIntervalMs: number;
  /** How long heartbeats may fail before `stillConnected` is asked whether to give the work up. */
  leaseMs: number;
}

export interface MembershipHooks {
  /** How many tasks run now (reported with each heartbeat). */
  activeTasks(): number;
  /** Asked when heartbeats have failed past the lease: true keeps the work (say, Redis still answers). */
  stillConnected(): Promise<boolean>;
  /** The registration is gone (declared dead, or the lease ran out): stop and kill what runs here. */
  onFenced(reason: AetherError): Promise<void>;
  /** Registered again after a fence: reconcile and take work again. */
  onRejoined(record: WorkerRecord): Promise<void>;
  /** Each heartbeat sent, with what the store answered (for metrics). */
  onHeartbeat?(outcome: HeartbeatOutcome): void;
}

type State = 'idle' | 'member' | 'fenced' | 'replaced' | 'left';

/**
 * This worker's registration in the store, kept alive by heartbeats at the database's clock.
 * A heartbeat the store refuses means the cluster has declared this worker dead (it was silent
 * past the grace period): it fences itself and registers again. If a newer process took over
 * its id, it fences itself for good, so two processes never act as one worker.
 */
export class Membership {
  private state: State = 'idle';
  private record: WorkerRecord | null = null;
  private draining = false;
  private lastRenewed = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly registration: WorkerRegistration,
    private readonly settings: MembershipSettings,
    private readonly hooks: MembershipHooks,
    private readonly logger: Logger,
  ) {}

  get epoch(): number | null {
    return this.record?.epoch ?? null;
  }

  get fenced(): boolean {
    return this.state === 'fenced' || this.state === 'replaced';
  }

  /** Registers and starts heartbeating. */
  async join(): Promise<WorkerRecord> {
    this.record = await this.store.registerWorker(this.registration);
    this.state = 'member';
    this.lastRenewed = performance.now();
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => {
        this.beating = null;
      });
    }, this.settings.heartbeatIntervalMs);
    this.timer.unref();
    return this.record;
  }

  /** Reports `draining` from now on: the cluster sees it finishing up and taking nothing new. */
  async drain(): Promise<void> {
    this.draining = true;
    // Only a member reports it; a fenced worker that is stopping must not register again.
    if (this.state === 'member') await this.beat();
  }

  /** Stops heartbeating and records how this worker left (a graceful stop: `stopped`). */
  async leave(reason: string): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    const record = this.record;
    if (this.state !== 'member' || !record) return;
    this.state = 'left';
    await this.store.setWorkerStatus(record.id, record.epoch, 'stopped', reason).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not record the worker as stopped; it will be declared dead');
    });
  }

  private async beat(): Promise<void> {
    if (this.state === 'fenced') return this.rejoin();
    if (this.state !== 'member' || !this.record) return;
    const { id, epoch } = this.record;
    try {
      const renewed = await this.store
        .heartbeatWorker(id, epoch, {
          activeTasks: this.hooks.activeTasks(),
          status: this.draining ? 'draining' : 'active',
        })
        .catch((error: unknown) => {
          this.hooks.onHeartbeat?.('failed');
          throw error;
        });
      this.hooks.onHeartbeat?.(renewed ? 'renewed' : 'refused');
      if (renewed) {
        this.record = renewed;
        this.lastRenewed = performance.now();
        return;
      }
      const now = await this.store.getWorker(id);
      if (now && now.epoch > epoch) {
        this.state = 'replaced';
        await this.hooks.onFenced(
          new AetherError(
            'ERR_WORKER_LOST',
            `another process registered as worker ${id} (epoch ${now.epoch}); this one stops taking work`,
          ),
        );
        return;
      }
      await this.fence(`the cluster declared worker ${id} dead (${now?.statusReason ?? 'no record'})`);
    } catch (error) {
      const silentMs = performance.now() - this.lastRenewed;
      this.logger.warn({ err: error, silentMs }, 'heartbeat failed');
      if (silentMs > this.settings.leaseMs && !(await this.hooks.stillConnected())) {
        await this.fence(`no heartbeat for ${Math.round(silentMs)} ms and the queue is unreachable too`);
      }
    }
  }

  private async fence(why: string): Promise<void> {
    this.state = 'fenced';
    this.logger.error({ reason: why }, 'worker fenced: it stops taking work and kills its VMs');
    await this.hooks.onFenced(new AetherError('ERR_WORKER_LOST', `worker lost its lease: ${why}`));
  }

  private async rejoin(): Promise<void> {
    try {
      this.record = await this.store.registerWorker(this.registration);
    } catch {
      return; // still cut off: try again at the next tick
    }
    this.state = 'member';
    this.lastRenewed = performance.now();
    this.logger.warn({ epoch: this.record.epoch }, 'worker registered again after a fence');
    try {
      await this.hooks.onRejoined(this.record);
    } catch (error) {
      // Not ready to take work (the store may be flapping): stay fenced and try again.
      this.state = 'fenced';
      this.logger.warn({ err: error }, 'could not take work again after a fence; will retry');
    }
  }
}
