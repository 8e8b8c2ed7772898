import { AetherError } from '../core/errors.js';
import type { Store } from '../core/store.js';
import type { WorkerRecord } from '../core/worker.js';

/** The cluster's workers, as they registered; platform data, not a project's (routes check admin). */
export class WorkerService {
  constructor(private readonly deps: { store: Pick<Store, 'listWorkers' | 'getWorker'> }) {}

  /** Every worker that ever registered, by id: active, draining, stopped or dead. */
  list(): Promise<WorkerRecord[]> {
    return this.deps.store.listWorkers();
  }

  async get(id: string): Promise<WorkerRecord> {
    const worker = await this.deps.store.getWorker(id);
    if (!worker) throw new AetherError('ERR_NOT_FOUND', `no worker ${id}`);
    return worker;
  }
}
