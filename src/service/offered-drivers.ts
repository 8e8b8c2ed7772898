import { AetherError } from '../core/errors.js';
import type { Store } from '../core/store.js';
import type { DriverName } from '../core/vm.js';
import type { WorkerRecord, WorkerStatus } from '../core/worker.js';

/**
 * Workers whose drivers count: those taking work, and those that left on purpose and are
 * expected back (their VMs wait for them; a create waits in its driver's queue). A dead worker
 * offers nothing.
 */
const OFFERING: ReadonlySet<WorkerStatus> = new Set<WorkerStatus>(['active', 'draining', 'stopped']);

/** How long one reading of the worker registrations answers creates. */
const FRESH_MS = 2_000;

/**
 * The drivers a cluster offers, from its workers' registrations in the store rather than from
 * what the node serving the request happens to have opened (a gateway opens no driver). Read
 * at most every couple of seconds; a driver not seen in a cached reading is looked up again
 * before a create is refused, so a worker that just joined is found at once.
 */
export class OfferedDrivers {
  private cached: { at: number; workers: WorkerRecord[] } | null = null;

  constructor(private readonly store: Pick<Store, 'listWorkers'>) {}

  /** Throws unless some worker that is (or will be back) in the cluster runs `driver`. */
  async require(driver: DriverName): Promise<void> {
    let workers = await this.read(false);
    if (!offers(workers, driver)) workers = await this.read(true);
    if (offers(workers, driver)) return;
    const offered = driversOf(workers);
    if (offered.length === 0) {
      throw new AetherError(
        'ERR_NO_WORKER',
        'no worker has joined this cluster, so no VM can be created yet; start one with `aether worker`',
      );
    }
    throw new AetherError(
      'ERR_DRIVER_UNKNOWN',
      `no worker of this cluster runs the "${driver}" driver; the workers offer: ${offered.join(', ')}`,
      { details: { driver, offered } },
    );
  }

  private async read(fresh: boolean): Promise<WorkerRecord[]> {
    const now = Date.now();
    if (!fresh && this.cached && now - this.cached.at < FRESH_MS) return this.cached.workers;
    const workers = (await this.store.listWorkers()).filter((worker) => OFFERING.has(worker.status));
    this.cached = { at: now, workers };
    return workers;
  }
}

function offers(workers: readonly WorkerRecord[], driver: DriverName): boolean {
  return workers.some((worker) => worker.drivers.includes(driver));
}

function driversOf(workers: readonly WorkerRecord[]): DriverName[] {
  return [...new Set(workers.flatMap((worker) => worker.drivers))].sort();
}
