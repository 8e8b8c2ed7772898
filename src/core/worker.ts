import type { DriverName } from './vm.js';

/**
 * A worker's membership in the cluster:
 * `active` (heartbeating, takes work) → `draining` (finishing what it runs, takes nothing new)
 * → `stopped` (left on purpose; its VMs wait for it to come back), or → `dead` (stopped
 * heartbeating past the grace period; its VMs were declared lost). A restart under the same id
 * registers again as `active` with a higher epoch.
 */
export const WORKER_STATUSES = ['active', 'draining', 'stopped', 'dead'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/** The statuses in which a silent worker is presumed crashed, not gone on purpose. */
export const HEARTBEATING_STATUSES: readonly WorkerStatus[] = ['active', 'draining'];

export interface WorkerRecord {
  id: string;
  host: string;
  drivers: DriverName[];
  /** Tasks it runs at once. */
  capacity: number;
  version: string;
  status: WorkerStatus;
  statusReason: string | null;
  /**
   * Bumped on every registration. Heartbeats carry it, so a process that was declared dead, or
   * was replaced by a newer process under the same id, learns it at its next heartbeat.
   */
  epoch: number;
  activeTasks: number;
  /** Where gateways reach its data plane (files, stdin, signals); null when it offers none. */
  dataUrl: string | null;
  startedAt: Date;
  lastHeartbeatAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface WorkerRegistration {
  id: string;
  host: string;
  drivers: DriverName[];
  capacity: number;
  version: string;
  /** Its data plane's address for gateways in other processes; absent when it offers none. */
  dataUrl?: string;
}

/** The reason recorded on VMs whose worker was declared dead. */
export const WORKER_LOST_REASON = 'worker_lost';
