/**
 * The cgroup(s) of one sandbox: made before it is spawned (the spawn joins them before anything
 * of the sandbox runs, see join-script.ts), limited when its VM is known (at boot, or when a
 * warm-pool sandbox is adopted), read for out-of-memory kills and usage, removed once the
 * sandbox is gone. On cgroup v2 that is one directory; on v1 one per controller.
 */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type CgroupHost, CONTROLLERS } from './cgroup-host.js';

export interface CgroupLimits {
  memoryMiB: number;
  vcpus: number;
  pids: number;
}

/** Where a sandbox's cgroups are, as `sandbox.json` records them (a restarted host reads them back). */
export type CgroupRecord =
  | { version: 2; dir: string }
  | {
      version: 1;
      memory: string;
      cpu: string;
      pids: string;
      cpuacct: string | null;
      /** Absent in records of sandboxes booted before pause existed. */
      freezer?: string | null;
    };

/** What a sandbox uses now, read from its cgroups. */
export interface CgroupUsage {
  memoryBytes: number;
  memoryPeakBytes: number | null;
  cpuSeconds: number;
  processes: number;
  oomKills: number;
}

const CPU_PERIOD_US = 100_000;
const REMOVE_TRIES = 20;
const FREEZE_WAIT_MS = 5_000;

/** The cgroups for sandbox `name` of the node whose scope is `scope` (one per state dir). */
export function sandboxCgroupRecord(
  host: Exclude<CgroupHost, { version: null }>,
  scope: string,
  name: string,
): CgroupRecord {
  if (host.version === 2) return { version: 2, dir: path.join(host.mount, scope, name) };
  const under = (parent: string) => path.join(parent, scope, name);
  return {
    version: 1,
    memory: under(host.parents.memory),
    cpu: under(host.parents.cpu),
    pids: under(host.parents.pids),
    cpuacct: host.cpuacctParent ? under(host.cpuacctParent) : null,
    freezer: host.freezerParent ? under(host.freezerParent) : null,
  };
}

export class SandboxCgroup {
  constructor(readonly record: CgroupRecord) {}

  /** Every directory of the sandbox, once each (v1 hierarchies may be mounted together). */
  get dirs(): string[] {
    const r = this.record;
    if (r.version === 2) return [r.dir];
    return [
      ...new Set([
        r.memory,
        r.cpu,
        r.pids,
        ...(r.cpuacct ? [r.cpuacct] : []),
        ...(r.freezer ? [r.freezer] : []),
      ]),
    ];
  }

  private dirOf(controller: 'memory' | 'cpu' | 'pids'): string {
    return this.record.version === 2 ? this.record.dir : this.record[controller];
  }

  /** The files a process writes its pid into to join (every hierarchy). */
  get procsFiles(): string[] {
    return this.dirs.map((dir) => path.join(dir, 'cgroup.procs'));
  }

  async create(): Promise<void> {
    if (this.record.version === 2) {
      // Controllers reach a child only when every ancestor's subtree_control offers them. The
      // hierarchy's root may hold processes and still delegate; our scope directory holds none.
      const scope = path.dirname(this.record.dir);
      await enableControllers(path.dirname(scope));
      await mkdir(scope, { recursive: true });
      await enableControllers(scope);
    }
    for (const dir of this.dirs) await mkdir(dir, { recursive: true });
  }

  /** Memory without swap, CPU quota from vCPUs, process (task) count. */
  async limit(limits: CgroupLimits): Promise<void> {
    const bytes = String(limits.memoryMiB * 1024 * 1024);
    const quota = String(limits.vcpus * CPU_PERIOD_US);
    if (this.record.version === 2) {
      const dir = this.record.dir;
      await writeFile(path.join(dir, 'memory.max'), bytes);
      await writeOptional(path.join(dir, 'memory.swap.max'), '0');
      await writeFile(path.join(dir, 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
      await writeFile(path.join(dir, 'pids.max'), String(limits.pids));
      return;
    }
    const memory = this.dirOf('memory');
    // memsw (memory + swap) may never be below memory: memory first when lowering from unlimited.
    await writeFile(path.join(memory, 'memory.limit_in_bytes'), bytes);
    if (!(await writeOptional(path.join(memory, 'memory.memsw.limit_in_bytes'), bytes))) {
      // No swap accounting on this kernel: keep the sandbox from swapping at all instead.
      await writeOptional(path.join(memory, 'memory.swappiness'), '0');
    }
    const cpu = this.dirOf('cpu');
    await writeFile(path.join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    await writeFile(path.join(cpu, 'cpu.cfs_quota_us'), quota);
    await writeFile(path.join(this.dirOf('pids'), 'pids.max'), String(limits.pids));
  }

  /** Whether this sandbox can be frozen (v2 always; v1 with the freezer hierarchy). */
  get canFreeze(): boolean {
    return this.record.version === 2 || Boolean(this.record.freezer);
  }

  /**
   * Freezes (or thaws) every process of the sandbox and waits until the kernel says it is done:
   * a freeze is asynchronous (`FREEZING` on v1, `frozen 0` in cgroup.events on v2 until then).
   */
  async freeze(frozen: boolean): Promise<void> {
    const r = this.record;
    const [file, value, done] =
      r.version === 2
        ? [
            path.join(r.dir, 'cgroup.freeze'),
            frozen ? '1' : '0',
            async () =>
              keyed(await readText(path.join(r.dir, 'cgroup.events')), 'frozen') === (frozen ? 1 : 0),
          ]
        : [
            path.join(r.freezer!, 'freezer.state'),
            frozen ? 'FROZEN' : 'THAWED',
            async () =>
              (await readText(path.join(r.freezer!, 'freezer.state'))).trim() ===
              (frozen ? 'FROZEN' : 'THAWED'),
          ];
    await writeFile(file, value);
    for (let waited = 0; !(await done()); waited += 10) {
      if (waited >= FREEZE_WAIT_MS)
        throw new Error(
          `the kernel did not ${frozen ? 'freeze' : 'thaw'} ${file} within ${FREEZE_WAIT_MS} ms`,
        );
      // v1 gives up on a task it cannot freeze at that moment and stays FREEZING until asked
      // again (the kernel's freezer-subsystem doc): on a busy host, ask every 100 ms.
      if (r.version === 1 && frozen && waited > 0 && waited % 100 === 0) await writeFile(file, value);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** How many processes the kernel's OOM killer has ended in this sandbox so far. */
  async oomKills(): Promise<number> {
    const file = this.record.version === 2 ? 'memory.events' : 'memory.oom_control';
    return keyed(await readText(path.join(this.dirOf('memory'), file)), 'oom_kill') ?? 0;
  }

  async usage(): Promise<CgroupUsage> {
    const memory = this.dirOf('memory');
    const pids = this.dirOf('pids');
    const cpu = this.dirOf('cpu');
    const processes = Number((await readText(path.join(pids, 'pids.current'))).trim()) || 0;
    if (this.record.version === 2) {
      const stat = await readText(path.join(cpu, 'cpu.stat'));
      return {
        memoryBytes: Number((await readText(path.join(memory, 'memory.current'))).trim()) || 0,
        memoryPeakBytes: Number((await readText(path.join(memory, 'memory.peak'))).trim()) || null,
        cpuSeconds: (keyed(stat, 'usage_usec') ?? 0) / 1e6,
        processes,
        oomKills: await this.oomKills(),
      };
    }
    // v1 keeps CPU time in cpuacct: not mounted, it reads 0.
    const cpuacct = this.record.cpuacct;
    return {
      memoryBytes: Number((await readText(path.join(memory, 'memory.usage_in_bytes'))).trim()) || 0,
      memoryPeakBytes:
        Number((await readText(path.join(memory, 'memory.max_usage_in_bytes'))).trim()) || null,
      cpuSeconds: cpuacct
        ? (Number((await readText(path.join(cpuacct, 'cpuacct.usage'))).trim()) || 0) / 1e9
        : 0,
      processes,
      oomKills: await this.oomKills(),
    };
  }

  /**
   * Removes the cgroups once their processes are gone. The kernel releases a cgroup a moment after
   * its last process is reaped, so a busy one is tried again briefly; one still busy after that is
   * left (it is empty soon, and the next sweep takes it).
   */
  async remove(): Promise<boolean> {
    let removed = true;
    for (const dir of this.dirs) {
      for (let attempt = 0; ; attempt++) {
        try {
          await rmdir(dir);
          break;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code !== 'EBUSY' || attempt >= REMOVE_TRIES) {
            removed = false;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
    return removed;
  }
}

async function enableControllers(dir: string): Promise<void> {
  const offered = (await readText(path.join(dir, 'cgroup.subtree_control'))).split(/\s+/);
  const missing = CONTROLLERS.filter((c) => !offered.includes(c));
  if (missing.length > 0)
    await writeFile(path.join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

/** Writes a control file the kernel may not have (swap accounting off); false when absent. */
async function writeOptional(file: string, value: string): Promise<boolean> {
  try {
    await writeFile(file, value);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** The number after `key` in a `key value` per line file (memory.events, cpu.stat, oom_control). */
function keyed(text: string, key: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${key} `));
  return line ? Number(line.slice(key.length + 1)) : null;
}
