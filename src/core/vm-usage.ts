/**
 * What a VM is using now, as its driver can read it: a sample, not a bill. Each figure is null
 * where the driver cannot tell (a process-driver VM without cgroups has no CPU account; a
 * microVM's memory is its guest's own business).
 */
export interface VmUsage {
  /** CPU time its processes used since it started (user + system), in seconds. */
  cpuSeconds: number | null;
  /** Memory it holds now (the cgroup's or container's charge, page cache included), in bytes. */
  memoryBytes: number | null;
  /** The most it held at once since it started, in bytes. */
  memoryPeakBytes: number | null;
  /** Bytes used in its home or disk, where that is a volume of its own. */
  diskBytes: number | null;
  /** Processes (tasks) in it now. */
  processes: number | null;
  /** When the figures were read (the worker's clock). */
  sampledAt: Date;
}

/** A sample in which nothing could be read. */
export function unknownUsage(sampledAt = new Date()): VmUsage {
  return {
    cpuSeconds: null,
    memoryBytes: null,
    memoryPeakBytes: null,
    diskBytes: null,
    processes: null,
    sampledAt,
  };
}
