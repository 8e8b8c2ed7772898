/**
 * What a Docker VM uses now, from the engine's stats of its container (one sample, no stream).
 * The home is a host directory bind-mounted into the container, not a volume of its own, so
 * its disk use is not known here (null).
 */
import type Dockerode from 'dockerode';
import { AetherError } from '../../core/errors.js';
import { unknownUsage, type VmUsage } from '../../core/vm-usage.js';

/** `info`: the container's inspect data, null when it has none (not ours, or gone). */
export async function containerUsage(
  id: string,
  info: Dockerode.ContainerInspectInfo | null,
  container: Dockerode.Container,
): Promise<VmUsage> {
  if (!info) throw new AetherError('ERR_VM_NOT_FOUND', `docker driver: no VM ${id}`, { details: { id } });
  // A stopped container's stats are zeros, which would read as "uses nothing".
  if (!info.State.Running) return unknownUsage();
  // `one-shot`: answer at once instead of waiting a second for a second sample (CPU percentages).
  const stats = await container.stats({ stream: false, 'one-shot': true });
  return usageFromStats(stats);
}

/** The engine's stats (cgroup v1 or v2 hosts) as a sample; absent figures are null. */
export function usageFromStats(stats: Dockerode.ContainerStats, sampledAt = new Date()): VmUsage {
  const cpuNs = stats.cpu_stats?.cpu_usage?.total_usage;
  const memory = stats.memory_stats ?? {};
  return {
    cpuSeconds: typeof cpuNs === 'number' ? cpuNs / 1e9 : null,
    memoryBytes: finite(memory.usage),
    // Only cgroup v1 hosts report a peak.
    memoryPeakBytes: finite(memory.max_usage) || null,
    diskBytes: null,
    processes: finite(stats.pids_stats?.current),
    sampledAt,
  };
}

function finite(value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
