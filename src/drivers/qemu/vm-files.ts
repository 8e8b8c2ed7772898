/**
 * On-disk state of one QEMU VM, `<stateDir>/v/<id>/`:
 *   spec.json   the spec it was created with
 *   disk.qcow2  copy-on-write overlay over the image's ext4 root (the VM's files)
 *   boot.json   pid, accelerator and boot timings of the running QEMU
 *   a.sock      the agent's virtio-serial port (QEMU listens; the host connects)
 *   q.sock      QMP
 *   console.log the guest's serial console (attached to boot errors)
 *   qemu.pid    written by QEMU
 *   source      the id of the snapshot its disk overlays, for a VM made from one
 *   owner       a pool member's driver instance (drivers/shared/pool-owner.ts)
 * Names are short: Unix socket paths must fit in 107 bytes. A warm-pool member lives in
 * `<stateDir>/pool/<poolId>/` with the same files until a VM adopts it by a rename.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VmSpec } from '../../core/driver.js';
import { assertSocketPathFits, readJsonFile } from '../shared/state-files.js';
import { assertVmId, isVmId } from '../shared/vm-id.js';
import type { VmFiles } from './qemu-args.js';
import type { Accel } from './settings.js';

export interface BootTimings {
  /** Spawn → QMP answering. */
  qemuStartMs: number;
  /** QMP answering → the guest's init printing its first line on the console. */
  kernelBootMs: number | null;
  /** Init's first line → the agent answering over virtio-serial. */
  agentStartMs: number;
  totalMs: number;
}

export interface BootRecord {
  pid: number;
  /**
   * The id QEMU was started under (`-name aether-<tag>`) when it is not the VM's own: a pool
   * member's, kept after a VM adopted it by renaming its directory.
   */
  tag?: string;
  accel: Accel;
  imageId: string;
  bootedAt: string;
  timings: BootTimings | null;
}

export class QemuVmDir {
  readonly dir: string;
  readonly files: VmFiles;

  constructor(
    stateDir: string,
    readonly id: string,
    area: 'v' | 'pool' = 'v',
  ) {
    assertVmId(id);
    this.dir = join(stateDir, area, id);
    this.files = {
      disk: join(this.dir, 'disk.qcow2'),
      agentSocket: join(this.dir, 'a.sock'),
      qmpSocket: join(this.dir, 'q.sock'),
      console: join(this.dir, 'console.log'),
      pidFile: join(this.dir, 'qemu.pid'),
    };
    assertSocketPathFits('qemu', stateDir, this.files.agentSocket);
  }

  private get specPath(): string {
    return join(this.dir, 'spec.json');
  }

  private get bootPath(): string {
    return join(this.dir, 'boot.json');
  }

  readSpec(): Promise<VmSpec | null> {
    return readJsonFile<VmSpec>(this.specPath);
  }

  async create(spec: VmSpec): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFile(this.specPath, JSON.stringify(spec));
  }

  readBoot(): Promise<BootRecord | null> {
    return readJsonFile<BootRecord>(this.bootPath);
  }

  writeBoot(record: BootRecord): Promise<void> {
    return writeFile(this.bootPath, JSON.stringify(record));
  }

  /** Sockets and the console of a previous run: QEMU recreates them. */
  async clearRuntime(): Promise<void> {
    const f = this.files;
    await Promise.all([f.agentSocket, f.qmpSocket, f.pidFile].map((p) => rm(p, { force: true })));
    await writeFile(f.console, '');
  }

  async consoleTail(bytes = 3000): Promise<string> {
    try {
      const text = await readFile(this.files.console, 'utf8');
      return text.slice(-bytes).trim();
    } catch {
      return '';
    }
  }

  private get sourcePath(): string {
    return join(this.dir, 'source');
  }

  /** Records the snapshot whose disk this VM's overlay reads (its delete must wait for the VM). */
  writeSourceSnapshot(snapshotId: string): Promise<void> {
    return writeFile(this.sourcePath, snapshotId);
  }

  async readSourceSnapshot(): Promise<string | null> {
    try {
      return (await readFile(this.sourcePath, 'utf8')).trim();
    } catch {
      return null;
    }
  }

  private get ownerPath(): string {
    return join(this.dir, 'owner');
  }

  /** A pool member's owner (drivers/shared/pool-owner.ts); null for VMs and unowned members. */
  async readOwner(): Promise<string | null> {
    try {
      return await readFile(this.ownerPath, 'utf8');
    } catch {
      return null;
    }
  }

  writeOwner(text: string): Promise<void> {
    return writeFile(this.ownerPath, text, { mode: 0o600 });
  }

  removeOwner(): Promise<void> {
    return rm(this.ownerPath, { force: true });
  }

  /** One atomic rename: the pool member becomes `target` with everything it runs. */
  async moveTo(target: QemuVmDir): Promise<void> {
    await mkdir(join(target.dir, '..'), { recursive: true, mode: 0o700 });
    await rename(this.dir, target.dir);
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

export async function listQemuPoolIds(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(join(stateDir, 'pool'))).filter(isVmId);
  } catch {
    return [];
  }
}

export async function listQemuVmIds(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(join(stateDir, 'v'))).filter(isVmId);
  } catch {
    return [];
  }
}
