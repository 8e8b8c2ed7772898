/**
 * On-disk state of one VM, `<stateDir>/vms/<id>/`:
 *   vm.json       the spec it was created with (host-written)
 *   sandbox.json  pid and identity token of the running sandbox, so a restarted host finds it
 *                 again (host-written)
 *   fstab         the guest's mounts (host-written)
 *   home.img      the home's filesystem image when limits are on (limits/home-volume.ts)
 *   root/         empty mount point of the guest's root tmpfs
 *   home/         the guest's /home/user — guest-writable, persists across execs and restarts
 *   run/          the guest's /run/aether (agent socket) — guest-writable, never trusted
 * The guest sees only home/ and run/, never the VM directory itself.
 *
 * A warm-pool sandbox lives in `<stateDir>/pool/<poolId>/` with the same layout minus vm.json,
 * plus `owner` (which driver instance booted it). Adopting it renames the whole directory to
 * `vms/<id>`: the running sandbox's bind mounts hold the inodes, so it keeps working.
 */
import { chmod, chown, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { VmSpec } from '../../core/driver.js';
import { assertVmId, isVmId } from '../shared/vm-id.js';
import { HomeVolume } from './limits/home-volume.js';
import type { CgroupRecord } from './limits/sandbox-cgroup.js';
import type { IsolationTool } from './settings.js';

export interface SandboxRecord {
  /**
   * Host pid of the isolation tool process (unshare/bwrap), leader of its own process group.
   * 0 while spawning: the record (with its token) is written before the spawn, so a host that
   * dies before it learns the pid leaves a sandbox that can still be found by its tag.
   */
  pid: number;
  /** Host pid of the namespace's PID 1, to wait for the namespace to be gone. */
  initPid: number | null;
  tool: IsolationTool;
  bootedAt: string;
  /**
   * Random per-sandbox token, passed to the isolation tool as the argv word `sandboxTag(token)`:
   * a recorded pid counts as this sandbox only while its cmdline holds that word. Survives
   * renaming the directory (warm pool). Null for records of older versions (checked by path).
   */
  token: string | null;
  /** A warm-pool sandbox handed to a VM at `create`, not yet `start`ed: the VM is still "created". */
  reserved: boolean;
  /** The cgroups it runs in; null when limits are off (or for records of older versions). */
  cgroup: CgroupRecord | null;
}

const TOKEN_PATTERN = /^[0-9a-f]{32}$/;

/** The argv word naming a sandbox (also a valid environment variable name, for bwrap's --unsetenv). */
export function sandboxTag(token: string): string {
  return `AETHER_SANDBOX_${token}`;
}

export type DirArea = 'vms' | 'pool';

export class VmDir {
  readonly dir: string;
  readonly home: string;
  /** The home's filesystem image, when limits are on. */
  readonly homeImage: string;
  readonly run: string;
  readonly root: string;
  readonly fstab: string;
  readonly socket: string;
  private readonly specFile: string;
  private readonly sandboxFile: string;

  private readonly ownerFile: string;
  private readonly commandOomFile: string;

  constructor(
    stateDir: string,
    readonly id: string,
    readonly area: DirArea = 'vms',
  ) {
    assertVmId(id);
    this.dir = join(stateDir, area, id);
    this.home = join(this.dir, 'home');
    this.homeImage = join(this.dir, 'home.img');
    this.run = join(this.dir, 'run');
    this.root = join(this.dir, 'root');
    this.fstab = join(this.dir, 'fstab');
    this.socket = join(this.run, 'agent.sock');
    this.specFile = join(this.dir, 'vm.json');
    this.sandboxFile = join(this.dir, 'sandbox.json');
    this.ownerFile = join(this.dir, 'owner');
    this.commandOomFile = join(this.dir, 'oom-commands.json');
  }

  /**
   * Out-of-memory kills of the sandbox `token` that ended commands (ERR_VM_OUT_OF_MEMORY), as
   * its cgroup counted them: kept on disk so that a restarted worker does not take them for the
   * sandbox's own death. Another sandbox's count (an earlier boot) reads as 0.
   */
  async readCommandOomKills(token: string): Promise<number> {
    const value = await readJson(this.commandOomFile);
    return value?.token === token && typeof value.kills === 'number' ? value.kills : 0;
  }

  async writeCommandOomKills(token: string, kills: number): Promise<void> {
    await writeFile(this.commandOomFile, JSON.stringify({ token, kills }), { mode: 0o600 });
  }

  async exists(): Promise<boolean> {
    return (await readJson(this.specFile)) !== null;
  }

  /** Creates the tree; `owner` (when the host is root) becomes the owner of what the guest writes. */
  async create(spec: VmSpec, owner: { uid: number; gid: number } | null): Promise<void> {
    await this.createTree(owner);
    await this.writeSpec(spec);
  }

  /** The directories without vm.json: what a pool sandbox boots in. */
  async createTree(owner: { uid: number; gid: number } | null): Promise<void> {
    // Ancestors get the search bit: a sandbox running as another uid must pass through them.
    await mkdir(dirname(this.dir), { recursive: true, mode: 0o711 });
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const sub of [this.home, this.run, this.root]) {
      await mkdir(sub, { recursive: true, mode: 0o700 });
      if (owner) await chown(sub, owner.uid, owner.gid);
    }
    // A root host keeps the VM directory itself: the sandbox uid may pass through it (0711) to
    // its mounts and fstab, but cannot list it or rewrite sandbox.json.
    if (owner) await chmod(this.dir, 0o711);
  }

  async writeSpec(spec: VmSpec): Promise<void> {
    const record = {
      id: spec.id,
      name: spec.name,
      vcpus: spec.vcpus,
      memoryMiB: spec.memoryMiB,
      createdAt: new Date().toISOString(),
    };
    // Written last: its presence is what makes the VM exist.
    await writeFile(this.specFile, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }

  /** The size the VM was created with (vm.json), for its limits at each boot. */
  async readSize(): Promise<{ vcpus: number; memoryMiB: number } | null> {
    const value = await readJson(this.specFile);
    const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
    return value && whole(value.vcpus) && whole(value.memoryMiB)
      ? { vcpus: value.vcpus, memoryMiB: value.memoryMiB }
      : null;
  }

  async writeFstab(text: string): Promise<void> {
    await writeFile(this.fstab, text, { mode: 0o644 });
    await chmod(this.fstab, 0o644);
  }

  async readSandbox(): Promise<SandboxRecord | null> {
    const value = await readJson(this.sandboxFile);
    if (!value || typeof value.pid !== 'number' || !Number.isInteger(value.pid)) return null;
    const token = typeof value.token === 'string' && TOKEN_PATTERN.test(value.token) ? value.token : null;
    // pid 0 is a spawn not yet recorded, only meaningful with the token that finds it.
    if (value.pid === 1 || value.pid < 0 || (value.pid === 0 && token === null)) return null;
    return {
      pid: value.pid,
      initPid: typeof value.initPid === 'number' ? value.initPid : null,
      tool: value.tool === 'bwrap' ? 'bwrap' : 'unshare',
      bootedAt: typeof value.bootedAt === 'string' ? value.bootedAt : '',
      token,
      reserved: value.reserved === true,
      cgroup: cgroupRecordOf(value.cgroup),
    };
  }

  /** Who booted a pool sandbox (opaque text, see the driver). */
  async readOwner(): Promise<string | null> {
    try {
      return await readFile(this.ownerFile, 'utf8');
    } catch {
      return null;
    }
  }

  async writeOwner(text: string): Promise<void> {
    await writeFile(this.ownerFile, text, { mode: 0o600 });
  }

  async removeOwner(): Promise<void> {
    await rm(this.ownerFile, { force: true });
  }

  /** Atomically moves this (pool) directory to `target`, which must not exist. */
  async moveTo(target: VmDir): Promise<void> {
    await rename(this.dir, target.dir);
  }

  async writeSandbox(record: SandboxRecord): Promise<void> {
    await writeFile(this.sandboxFile, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }

  /** Removes the socket a previous boot left (whatever the guest replaced it with; never followed). */
  async clearSocket(): Promise<void> {
    await rm(this.socket, { recursive: true, force: true });
  }

  /** Removes everything, including guest files whose permissions the guest narrowed. */
  async remove(): Promise<void> {
    // The home volume first: removing through a mount would empty the image, then fail on it.
    await new HomeVolume(this.homeImage, this.home).unmount();
    try {
      await rm(this.dir, { recursive: true, force: true });
    } catch {
      await makeWritable(this.dir);
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}

/** Ids of every VM directory under `<stateDir>/vms`. */
export async function listVmIds(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(join(stateDir, 'vms'))).filter((name) => isVmId(name));
  } catch {
    return [];
  }
}

/** Ids of every warm-pool directory under `<stateDir>/pool`. */
export async function listPoolIds(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(join(stateDir, 'pool'))).filter((name) => isVmId(name));
  } catch {
    return [];
  }
}

/** A recorded cgroup, checked for shape: absolute paths under a cgroup mount, nothing else. */
function cgroupRecordOf(value: unknown): CgroupRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const isCgroupPath = (p: unknown): p is string =>
    typeof p === 'string' && p.startsWith('/sys/fs/cgroup/') && !p.split('/').includes('..');
  if (v.version === 2 && isCgroupPath(v.dir)) return { version: 2, dir: v.dir };
  if (v.version === 1 && isCgroupPath(v.memory) && isCgroupPath(v.cpu) && isCgroupPath(v.pids)) {
    return {
      version: 1,
      memory: v.memory,
      cpu: v.cpu,
      pids: v.pids,
      cpuacct: isCgroupPath(v.cpuacct) ? v.cpuacct : null,
      freezer: isCgroupPath(v.freezer) ? v.freezer : null,
    };
  }
  return null;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A non-root host cannot delete inside a directory the guest made read-only (mode 000). */
async function makeWritable(dir: string): Promise<void> {
  try {
    const info = await lstat(dir);
    if (!info.isDirectory()) return;
    await chmod(dir, 0o700);
    for (const entry of await readdir(dir)) await makeWritable(join(dir, entry));
  } catch {
    // best effort; the retry reports what is left
  }
}
