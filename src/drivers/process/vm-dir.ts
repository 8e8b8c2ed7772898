/**
 * On-disk state of one VM, `<stateDir>/vms/<id>/`:
 *   vm.json       the spec it was created with (host-written)
 *   sandbox.json  pid of the running sandbox, so a restarted host finds it again (host-written)
 *   fstab         the guest's mounts (host-written)
 *   root/         empty mount point of the guest's root tmpfs
 *   home/         the guest's /home/user — guest-writable, persists across execs and restarts
 *   run/          the guest's /run/aether (agent socket) — guest-writable, never trusted
 * The guest sees only home/ and run/, never the VM directory itself.
 */
import { chmod, chown, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { VmSpec } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import type { IsolationTool } from './settings.js';

/** Ids become directory names: no separators, no dots, bounded length. */
const VM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function assertVmId(id: string): void {
  if (!VM_ID_PATTERN.test(id))
    throw new AetherError('ERR_VALIDATION', `invalid VM id "${String(id).slice(0, 80)}"`);
}

export interface SandboxRecord {
  /** Host pid of the isolation tool process (unshare/bwrap), leader of its own process group. */
  pid: number;
  /** Host pid of the namespace's PID 1, to wait for the namespace to be gone. */
  initPid: number | null;
  tool: IsolationTool;
  bootedAt: string;
}

export class VmDir {
  readonly dir: string;
  readonly home: string;
  readonly run: string;
  readonly root: string;
  readonly fstab: string;
  readonly socket: string;
  private readonly specFile: string;
  private readonly sandboxFile: string;

  constructor(
    stateDir: string,
    readonly id: string,
  ) {
    assertVmId(id);
    this.dir = join(stateDir, 'vms', id);
    this.home = join(this.dir, 'home');
    this.run = join(this.dir, 'run');
    this.root = join(this.dir, 'root');
    this.fstab = join(this.dir, 'fstab');
    this.socket = join(this.run, 'agent.sock');
    this.specFile = join(this.dir, 'vm.json');
    this.sandboxFile = join(this.dir, 'sandbox.json');
  }

  async exists(): Promise<boolean> {
    return (await readJson(this.specFile)) !== null;
  }

  /** Creates the tree; `owner` (when the host is root) becomes the owner of what the guest writes. */
  async create(spec: VmSpec, owner: { uid: number; gid: number } | null): Promise<void> {
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

  async writeFstab(text: string): Promise<void> {
    await writeFile(this.fstab, text, { mode: 0o644 });
    await chmod(this.fstab, 0o644);
  }

  async readSandbox(): Promise<SandboxRecord | null> {
    const value = await readJson(this.sandboxFile);
    if (!value || typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 1)
      return null;
    return {
      pid: value.pid,
      initPid: typeof value.initPid === 'number' ? value.initPid : null,
      tool: value.tool === 'bwrap' ? 'bwrap' : 'unshare',
      bootedAt: typeof value.bootedAt === 'string' ? value.bootedAt : '',
    };
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
    return (await readdir(join(stateDir, 'vms'))).filter((name) => VM_ID_PATTERN.test(name));
  } catch {
    return [];
  }
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
