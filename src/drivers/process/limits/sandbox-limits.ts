/**
 * Everything the process driver does to hold a VM to its size: cgroups (memory without swap, CPU
 * quota from vCPUs, a process count), a size-limited /tmp, and a home of its own size (a loop-
 * mounted image). On a host that cannot enforce them (not root, no writable cgroup hierarchy with
 * those controllers) VMs are refused unless limits are configured off: never silently unlimited.
 */
import { createHash } from 'node:crypto';
import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import { AetherError } from '../../../core/errors.js';
import type { ResourceLimits } from '../../../core/vm.js';
import type { SandboxCommand } from '../sandbox-command.js';
import type { VmDir } from '../vm-dir.js';
import { type CgroupHost, detectCgroupHost } from './cgroup-host.js';
import { HomeVolume } from './home-volume.js';
import { joinCgroups } from './join-cgroups.js';
import type { LimitsSettings } from './limits-settings.js';
import { type CgroupRecord, SandboxCgroup, sandboxCgroupRecord } from './sandbox-cgroup.js';

export type { LimitsMode, LimitsSettings } from './limits-settings.js';

export interface SandboxLimits {
  readonly enforced: boolean;
  /** What `vm get` shows. */
  readonly info: ResourceLimits;
  /** The size of the guest's /tmp (and /dev/shm), or null for an unbounded tmpfs. */
  readonly tmpSizeMiB: number | null;
  /** Throws ERR_ISOLATION_UNAVAILABLE, saying what to do, when limits are on and cannot be had. */
  ensure(): void;
  /** Gives a fresh VM (or pool) directory its home volume, owned inside by `owner` (else by us). */
  prepareHome(dir: VmDir, owner: { uid: number; gid: number } | null): Promise<void>;
  /** Mounts a VM's home volume again if it is not (after a host reboot). */
  mountHome(dir: VmDir): Promise<void>;
  unmountHome(dir: VmDir): Promise<void>;
  /** Makes the cgroups a sandbox named `token` will boot in; null when limits are off. */
  cgroupFor(token: string): Promise<SandboxCgroup | null>;
  /** The spawn that puts `command` into `cgroup` first (the sandbox's ids applied after joining). */
  spawnInto(
    command: SandboxCommand,
    cgroup: SandboxCgroup | null,
    ids: { uid: number; gid: number } | null,
  ): { command: SandboxCommand; ids: { uid: number; gid: number } | null };
  /** Holds the sandbox of `record` to the VM's size. */
  apply(record: CgroupRecord | null, size: { vcpus: number; memoryMiB: number }): Promise<void>;
  /** Out-of-memory kills so far in the sandbox of `record`; null without cgroups. */
  oomKills(record: CgroupRecord | null): Promise<number | null>;
  /** Freezes or thaws the sandbox of `record`; ERR_UNSUPPORTED without a freezer. */
  freeze(record: CgroupRecord | null, frozen: boolean): Promise<void>;
  /** Removes the sandbox's cgroups once it is gone. */
  release(record: CgroupRecord | null): Promise<void>;
  /** Removes this node's cgroup scope when no sandbox is left in it (the driver is closing). */
  close(): Promise<void>;
}

export function createSandboxLimits(
  settings: LimitsSettings,
  stateDir: string,
  detect: () => CgroupHost = detectCgroupHost,
): SandboxLimits {
  const scope = `aether-${createHash('sha256').update(stateDir).digest('hex').slice(0, 12)}`;
  const on = settings.mode === 'on';
  let host: CgroupHost | null = null;
  const hostOf = (): CgroupHost => {
    if (host) return host;
    host =
      process.getuid?.() === 0
        ? detect()
        : {
            version: null,
            reason:
              'the process driver enforces limits only when its worker runs as root (cgroups, and a loop-mounted home)',
          };
    return host;
  };
  const usable = () => {
    const h = hostOf();
    return h.version === null ? null : h;
  };
  const volume = (dir: VmDir) => new HomeVolume(dir.homeImage, dir.home);

  const limits: SandboxLimits = {
    enforced: on,
    get info(): ResourceLimits {
      if (!on) {
        return {
          enforced: false,
          mechanism:
            'off by configuration (process.limits: off): vcpus and memory are not enforced; no process, /tmp or disk limit',
          pids: null,
          tmpMiB: null,
          diskMiB: null,
        };
      }
      const h = hostOf();
      const via = h.version === null ? `not available: ${h.reason}` : `cgroup v${h.version}`;
      return {
        enforced: h.version !== null,
        mechanism: `${via}: memory without swap, CPU quota from vcpus, ${settings.pids} tasks; tmpfs /tmp of ${settings.tmpSizeMiB} MiB; home on an ext4 image of ${settings.homeSizeMiB} MiB`,
        pids: settings.pids,
        tmpMiB: settings.tmpSizeMiB,
        diskMiB: settings.homeSizeMiB,
      };
    },
    tmpSizeMiB: on ? settings.tmpSizeMiB : null,
    ensure() {
      if (!on) return;
      const h = hostOf();
      if (h.version !== null) return;
      throw new AetherError(
        'ERR_ISOLATION_UNAVAILABLE',
        `process driver: this host cannot enforce VM limits (${h.reason}); run the worker as root, or set process.limits: off (AETHER_PROCESS_LIMITS=off) to run VMs without memory, CPU, process or disk limits`,
        { details: { reason: 'limits_unavailable' } },
      );
    },
    async prepareHome(dir, owner) {
      if (!on) return;
      limits.ensure();
      await volume(dir).create(settings.homeSizeMiB, owner);
    },
    async mountHome(dir) {
      const home = volume(dir);
      if (await home.exists()) await home.mount();
    },
    async unmountHome(dir) {
      await volume(dir).unmount();
    },
    async cgroupFor(token) {
      if (!on) return null;
      limits.ensure();
      const cgroup = new SandboxCgroup(sandboxCgroupRecord(usable()!, scope, `sandbox-${token}`));
      await cgroup.create();
      return cgroup;
    },
    spawnInto(command, cgroup, ids) {
      if (!cgroup) return { command, ids };
      // Spawned as ourselves: the script joins, then drops to the sandbox's ids.
      return { command: joinCgroups(command, cgroup.procsFiles, ids), ids: null };
    },
    async apply(record, size) {
      if (!record) return;
      await new SandboxCgroup(record).limit({ ...size, pids: settings.pids });
    },
    async oomKills(record) {
      return record ? new SandboxCgroup(record).oomKills() : null;
    },
    async freeze(record, frozen) {
      const cgroup = record ? new SandboxCgroup(record) : null;
      if (!cgroup?.canFreeze) {
        throw new AetherError(
          'ERR_UNSUPPORTED',
          on
            ? 'process driver: this host has no cgroup freezer (cgroup v1 without the freezer hierarchy), so VMs cannot be paused'
            : 'process driver: pausing a VM needs process.limits: on (the cgroup freezer)',
        );
      }
      await cgroup.freeze(frozen);
    },
    async release(record) {
      if (record) await new SandboxCgroup(record).remove();
    },
    async close() {
      const h = host;
      if (!on || !h || h.version === null) return;
      const parents = h.version === 2 ? [h.mount] : [...Object.values(h.parents), h.cpuacctParent];
      for (const parent of new Set(parents)) {
        // Still holding a running VM's sandbox: kept, as the VM outlives this process.
        if (parent) await rmdir(path.join(parent, scope)).catch(() => {});
      }
    },
  };
  return limits;
}
