/**
 * Where this host lets the process driver put its sandboxes under cgroup limits: cgroup v2 (one
 * unified hierarchy with the memory, cpu and pids controllers) or cgroup v1 (one hierarchy per
 * controller, as on hosts that still boot with v1, or v1 with an empty v2 mount beside it). Read
 * once from /proc/self/mountinfo and /proc/self/cgroup; nothing is written here.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { mountLines } from './mountinfo.js';

/** The controllers every limit needs: memory (no swap), CPU quota, process count. */
export const CONTROLLERS = ['memory', 'cpu', 'pids'] as const;
export type Controller = (typeof CONTROLLERS)[number];

export type CgroupHost =
  | { version: 2 /** The unified mount, e.g. /sys/fs/cgroup. */; mount: string }
  | {
      version: 1;
      /** Per controller: the directory our sandboxes' cgroups go under (this process's own cgroup). */
      parents: Record<Controller, string>;
      /** CPU time lives in cpuacct on v1 (often mounted with cpu); null when not mounted. */
      cpuacctParent: string | null;
      /** Pause needs the v1 freezer; null when not mounted (then VMs cannot be paused). */
      freezerParent: string | null;
    }
  | { version: null /** Why limits cannot be enforced, for a person to act on. */; reason: string };

/** `/proc/self/cgroup`: hierarchy → this process's path in it (`''` keys the v2 hierarchy). */
function ownCgroups(procCgroup: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of procCgroup.split('\n').filter(Boolean)) {
    const [, controllers = '', cgroupPath = '/'] = line.split(':');
    for (const name of controllers.split(',')) own.set(name, cgroupPath);
  }
  return own;
}

/** Our own cgroup inside a hierarchy's mount, without a trailing slash. */
function under(mountPoint: string, own = '/'): string {
  return path.resolve(mountPoint, `.${own}`);
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides from the two /proc files (given, so tests can hand in another host's). v2 is taken when
 * its mount offers every controller; otherwise v1 when each controller has a v1 mount; otherwise
 * no limits, with the reason. Being able to write there is checked here; the rest is found out
 * when the first cgroup is made.
 */
export function detectCgroupHost(
  files: { mountinfo: string; procCgroup: string } = {
    mountinfo: readFileSync('/proc/self/mountinfo', 'utf8'),
    procCgroup: readFileSync('/proc/self/cgroup', 'utf8'),
  },
  canWrite: (dir: string) => boolean = writable,
): CgroupHost {
  const mounts = mountLines(files.mountinfo);
  const unified = mounts.find((m) => m.fsType === 'cgroup2');
  if (unified) {
    let offered: string[] = [];
    try {
      offered = readFileSync(path.join(unified.mountPoint, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    } catch {
      // unreadable: treated as offering nothing
    }
    if (CONTROLLERS.every((c) => offered.includes(c))) {
      if (!canWrite(unified.mountPoint))
        return {
          version: null,
          reason: `cannot write to the cgroup v2 hierarchy at ${unified.mountPoint} (run the worker as root)`,
        };
      return { version: 2, mount: unified.mountPoint };
    }
  }
  const own = ownCgroups(files.procCgroup);
  const parents: Partial<Record<Controller, string>> = {};
  for (const controller of CONTROLLERS) {
    const mount = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller));
    if (!mount) {
      return {
        version: null,
        reason: `no cgroup hierarchy offers the ${controller} controller (neither a v2 mount with it nor a v1 mount of it)`,
      };
    }
    const parent = under(mount.mountPoint, own.get(controller));
    if (!canWrite(parent))
      return {
        version: null,
        reason: `cannot create cgroups under ${parent} (run the worker as root, or delegate that cgroup to its user)`,
      };
    parents[controller] = parent;
  }
  const optional = (controller: string): string | null => {
    const mount = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller));
    const parent = mount ? under(mount.mountPoint, own.get(controller)) : null;
    return parent && canWrite(parent) ? parent : null;
  };
  return {
    version: 1,
    parents: parents as Record<Controller, string>,
    cpuacctParent: optional('cpuacct'),
    freezerParent: optional('freezer'),
  };
}
