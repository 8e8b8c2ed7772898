/**
 * What a process-driver VM uses now: CPU time, memory and processes from its sandbox's cgroups
 * (as `sandbox.json` records them), disk from its home volume. A VM whose sandbox runs without
 * cgroups (limits off) has no account to read: those figures are null.
 */
import { statfs } from 'node:fs/promises';
import { AetherError } from '../../core/errors.js';
import type { VmUsage } from '../../core/vm-usage.js';
import { HomeVolume } from './limits/home-volume.js';
import { type CgroupUsage, SandboxCgroup } from './limits/sandbox-cgroup.js';
import { VmDir } from './vm-dir.js';

export async function sandboxUsage(stateDir: string, id: string): Promise<VmUsage> {
  const dir = new VmDir(stateDir, id);
  if (!(await dir.exists())) {
    throw new AetherError('ERR_VM_NOT_FOUND', `process driver: no VM ${id}`, { details: { id } });
  }
  const sampledAt = new Date();
  const [cgroup, diskBytes] = await Promise.all([cgroupUsage(dir), homeUsedBytes(dir)]);
  return {
    cpuSeconds: cgroup?.cpuSeconds ?? null,
    memoryBytes: cgroup?.memoryBytes ?? null,
    memoryPeakBytes: cgroup?.memoryPeakBytes ?? null,
    diskBytes,
    processes: cgroup?.processes ?? null,
    sampledAt,
  };
}

/** Nulls where the cgroups cannot say (none recorded, gone with the sandbox, no cpuacct on v1). */
async function cgroupUsage(dir: VmDir): Promise<Partial<Record<keyof CgroupUsage, number | null>> | null> {
  const record = (await dir.readSandbox())?.cgroup ?? null;
  if (!record) return null;
  const usage = await new SandboxCgroup(record).usage().catch(() => null);
  if (!usage) return null;
  // v1 keeps CPU time only in cpuacct; without it SandboxCgroup reads 0, which would be a lie.
  const cpuKnown = record.version === 2 || record.cpuacct !== null;
  return { ...usage, cpuSeconds: cpuKnown ? usage.cpuSeconds : null };
}

/**
 * Bytes used on the home volume. Without one the home is a directory on the host's own
 * filesystem, whose figures would be the host's, not the VM's: null then.
 */
async function homeUsedBytes(dir: VmDir): Promise<number | null> {
  if (!(await new HomeVolume(dir.homeImage, dir.home).mounted())) return null;
  const fs = await statfs(dir.home, { bigint: true }).catch(() => null);
  if (!fs) return null;
  return Number((fs.blocks - fs.bfree) * fs.bsize);
}
