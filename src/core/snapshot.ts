import type { DriverName } from './vm.js';

/**
 * Snapshot lifecycle: `pending` (its task is queued or saving) → `ready` | `failed`; a ready or
 * failed one may be deleted: → `deleting` (its files are being removed on its worker) →
 * `deleted`. A deleted snapshot stays in the store as history, as a deleted VM does.
 */
export const SNAPSHOT_STATUSES = ['pending', 'ready', 'failed', 'deleting', 'deleted'] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

/** Statuses from which a delete may start (`deleting` again: a retried delete resumes). */
export const SNAPSHOT_DELETABLE: readonly SnapshotStatus[] = ['ready', 'failed', 'deleting'];

/**
 * A VM's memory, devices and disk saved at one instant on one worker; new VMs can start from it
 * there. It belongs to the project of its source VM.
 */
export interface SnapshotRecord {
  id: string;
  project: string;
  sourceVmId: string;
  driver: DriverName;
  /** The worker holding the files: VMs made from it are created there. */
  workerId: string | null;
  image: string | null;
  vcpus: number;
  memoryMiB: number;
  /** Where the driver keeps it on the worker's host, once saved. */
  statePath: string | null;
  sizeBytes: number | null;
  status: SnapshotStatus;
  statusReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a caller decides; status, paths and times are the store's and the driver's. */
export type NewSnapshot = Pick<
  SnapshotRecord,
  'id' | 'project' | 'sourceVmId' | 'driver' | 'workerId' | 'image' | 'vcpus' | 'memoryMiB'
>;

/** The outcome of saving, written once: only a `pending` snapshot changes. */
export interface SnapshotOutcome {
  status: 'ready' | 'failed';
  statusReason?: string | null;
  statePath?: string | null;
  sizeBytes?: number | null;
}
