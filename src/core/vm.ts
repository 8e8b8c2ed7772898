import { AetherError } from './errors.js';
import { isUuid } from './ids.js';
import type { VmTools } from './tools.js';
import type { VmLabels } from './vm-labels.js';
import type { VmLifetime } from './vm-lifetime.js';
import type { VmRestart } from './vm-restart.js';

/** VM lifecycle. Every transition is written to the store with a reason. */
export const VM_STATUSES = [
  'pending',
  'creating',
  'running',
  'paused',
  'stopping',
  'stopped',
  'deleted',
  'failed',
  'lost',
] as const;
export type VmStatus = (typeof VM_STATUSES)[number];

const VM_TRANSITIONS: Record<VmStatus, readonly VmStatus[]> = {
  pending: ['creating', 'failed', 'deleted'],
  // `stopped`: a start (stopped → creating) that failed for good; its files are still there.
  creating: ['running', 'failed', 'stopping', 'stopped', 'lost'],
  running: ['paused', 'stopping', 'failed', 'lost'],
  // Frozen where it stood (`vm pause`): its memory is kept; `resume` lets it run on.
  paused: ['running', 'stopping', 'failed', 'lost'],
  stopping: ['stopped', 'deleted', 'failed', 'lost'],
  stopped: ['creating', 'stopping', 'deleted', 'failed'],
  failed: ['stopping', 'deleted'],
  lost: ['stopping', 'deleted', 'running'],
  deleted: [],
};

export function canTransitionVm(from: VmStatus, to: VmStatus): boolean {
  return VM_TRANSITIONS[from].includes(to);
}

export function isVmTerminal(status: VmStatus): boolean {
  return status === 'deleted';
}

/** Statuses in which a VM still holds (or may hold) resources on its worker. */
export function isVmLive(status: VmStatus): boolean {
  return (
    status === 'creating' ||
    status === 'running' ||
    status === 'paused' ||
    status === 'stopping' ||
    status === 'stopped'
  );
}

/**
 * A driver's name, as VMs, snapshots, worker registrations, queues (`create-<driver>`) and
 * metrics carry it. The drivers a build has are its driver modules (src/drivers/modules.ts);
 * the layers below the runtime are handed them as data (`DriverInfo`).
 */
export type DriverName = string;

/** The shape of a driver name: it becomes part of queue names, file names and metric labels. */
export const DRIVER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

export const VM_LIMITS = {
  vcpusMin: 1,
  vcpusMax: 64,
  memoryMiBMin: 64,
  memoryMiBMax: 262_144,
  nameMaxLength: 63,
} as const;

/** DNS-label-like names: they appear in URLs, hostnames and file names. */
export const VM_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const VM_NAME_RULE =
  'use 1-63 lowercase letters, digits or dashes, starting and ending with a letter or digit';
export const VM_NAME_NOT_AN_ID =
  'must not have the form of a VM id (a UUID): a VM is looked up by id before name; choose another name';

/**
 * What to fix in `name` for it to name a VM, or null when it can. Every place that takes a VM
 * accepts its id or its name, trying the id first, so a name in the form of an id would leave
 * its VM (or the VM that id belongs to) reachable only by id.
 */
export function vmNameProblem(name: string): string | null {
  if (!VM_NAME_PATTERN.test(name)) return VM_NAME_RULE;
  if (isUuid(name)) return VM_NAME_NOT_AN_ID;
  return null;
}

/** Throws ERR_VALIDATION saying what to fix when `name` cannot name a VM (see vmNameProblem). */
export function checkVmName(name: string): void {
  const problem = vmNameProblem(name);
  if (problem === null) return;
  throw new AetherError('ERR_VALIDATION', `name ${JSON.stringify(name)}: ${problem}`, {
    details: { field: 'name' },
  });
}

/** A Docker image reference as a VM's `image` names it (`aetherium/guest:latest`, `python:3.12-slim`). */
export const IMAGE_REFERENCE_PATTERN = /^[a-z0-9][a-z0-9._/:@-]{0,254}$/;

/** Matches IMAGE_REFERENCE_PATTERN and holds no `..` (no path tricks in what a driver resolves). */
export function isImageReference(value: string): boolean {
  return IMAGE_REFERENCE_PATTERN.test(value) && !value.includes('..');
}

/**
 * Optional VM features a driver may offer. `image`: the VM boots a guest image of its own;
 * `network`: outbound network access (without it a VM has only loopback); `snapshot`: the VM
 * can be saved and new VMs started from the save (VmDriver.snapshot); `hibernate`: a paused VM
 * can give its memory back, kept on disk until it resumes (VmDriver.hibernate).
 */
export const VM_FEATURES = ['image', 'network', 'snapshot', 'hibernate'] as const;
export type VmFeature = (typeof VM_FEATURES)[number];

/** A driver as the layers below the runtime know it: its name and the features it offers. */
export interface DriverInfo {
  name: DriverName;
  features: readonly VmFeature[];
  /** Why it lacks a feature, where a caller is helped by knowing (`the process driver runs the host's own /usr`). */
  lacks?: Partial<Record<VmFeature, string>>;
}

export interface VmRecord {
  id: string;
  /** The project that owns it (see core/principal.ts). */
  project: string;
  name: string;
  driver: DriverName;
  status: VmStatus;
  statusReason: string | null;
  vcpus: number;
  memoryMiB: number;
  /** Guest image (a Docker reference); null = the driver's default. */
  image: string | null;
  /** Outbound network access; false = loopback only. */
  network: boolean;
  workerId: string | null;
  metadata: Record<string, unknown>;
  /** Key=value pairs to find it by (core/vm-labels.ts); `{}` when none. */
  labels: VmLabels;
  /** What the driver reported about isolation when it created the VM. */
  isolation: IsolationInfo | null;
  /** Tools asked for and what the VM got (core/tools.ts); null for VMs made before tools were kept. */
  tools: VmTools | null;
  /** Its time to live, idle timeout and what ends it (core/vm-lifetime.ts). */
  lifetime: VmLifetime;
  /** What a death its health check finds leads to, and the restarts so far (core/vm-restart.ts). */
  restart: VmRestart;
  /**
   * When a paused VM was hibernated: its memory saved beside its disk and its VMM ended, so it
   * holds no RAM until `resume`. Null for a VM that is not hibernated.
   */
  hibernatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  stoppedAt: Date | null;
}

/** An honest description of what separates a VM from the host and its siblings. */
export interface IsolationInfo {
  /** e.g. `namespaces`, `container`, `microvm-kvm`, `microvm-tcg`. */
  level: string;
  /** `shared` when the workload runs on the host's kernel. */
  kernel: 'shared' | 'dedicated';
  /** Human-readable list of the mechanisms in use and their limits. */
  summary: string;
  /** The resource limits it holds the VM to; absent where a driver does not say. */
  limits?: ResourceLimits;
}

/**
 * Resource limits as a driver enforces them. When `enforced`, the VM's own `vcpus` and
 * `memoryMiB` are hard limits (memory without swap: past it, the kernel kills a process of the
 * VM with ERR_VM_OUT_OF_MEMORY, and the VM lives on), plus the ones given here.
 */
export interface ResourceLimits {
  enforced: boolean;
  /** How, in a few words; or why not. */
  mechanism: string;
  /** Tasks (processes and threads) the VM may have at once; null = not limited. */
  pids: number | null;
  /** Size of the guest's /tmp; null = not limited by the driver. */
  tmpMiB: number | null;
  /** Size of the guest's home (or disk); null = not limited by the driver. */
  diskMiB: number | null;
}

/** The error for work asked of a VM that is not running; `action` says what was asked. */
export function vmNotRunning(vm: Pick<VmRecord, 'id' | 'name' | 'status'>, action: string): AetherError {
  return new AetherError(
    'ERR_VM_NOT_RUNNING',
    `VM ${vm.name} is ${vm.status}; ${action} only on a running VM`,
    {
      details: { vmId: vm.id, status: vm.status },
    },
  );
}
