import type { TaskPriority } from '../core/task.js';
import type { DriverName } from '../core/vm.js';
import type { LifetimeInput } from './vm-lifetimes.js';
import type { RestartInput } from './vm-restarts.js';

/** Inputs as the service takes them: already validated for shape at the boundary. */
/**
 * `ttlSeconds`, `idleTimeoutSeconds`, `onExpiry`: its lifetime (service/vm-lifetimes.ts);
 * `restartPolicy`, `restartMax`: what a death leads to (service/vm-restarts.ts).
 */
export interface CreateVmInput extends LifetimeInput, RestartInput {
  /** Refused when it is not a VM name, or has the form of a VM id (see vmNameProblem). */
  name: string;
  driver?: DriverName;
  vcpus?: number;
  memoryMiB?: number;
  /** Guest image, a Docker reference; only for drivers with the `image` feature (DriverInfo). */
  image?: string;
  /** Outbound network access; default false (loopback only). */
  network?: boolean;
  metadata?: Record<string, unknown>;
  /** Key=value pairs to find it by; refused (ERR_VALIDATION) when one breaks core/vm-labels.ts's rules. */
  labels?: Record<string, string>;
  /**
   * Start from this snapshot (a `ready` one the caller can see) instead of booting: the VM gets
   * the snapshot's driver, shape, image and network, and is created on the worker holding it.
   */
  fromSnapshot?: string;
  /** Tools besides the default set (catalog names); required. */
  additionalTools?: string[];
  /** Versions asked for, by tool; a tool named here is required too. */
  toolVersions?: Record<string, string>;
}

export interface ExecuteInput {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string | null;
  stdin?: string | null;
  /**
   * Stdin is fed while the command runs (through its worker's data plane); until it is, the
   * command sees an open, empty stdin. Not together with `stdin`.
   */
  stdinStream?: boolean;
  /** The command's limit; 0: no limit of its own (the longest a command may run, 24 h). */
  timeoutMs?: number;
  /** May run again after its worker died mid-run (else the outcome is recorded as unknown). */
  retrySafe?: boolean;
}

export interface JobInput {
  name: string;
  steps: ExecuteInput[];
}

export interface TaskOptions {
  priority?: TaskPriority;
  /** Overrides the task type's default time limit. */
  timeoutMs?: number;
}
