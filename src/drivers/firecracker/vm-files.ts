/**
 * On-disk state of one Firecracker VM, `<stateDir>/v/<id>/`:
 *   vm.json          the spec it was created with, its network attachment, its jail uid
 *   rootfs.ext4      its own copy of the image's ext4 root (the VM's files)
 *   boot.json        pid (and its start time), jail, image and boot timings of the running VMM
 *   vmm.out          the VMM process's stdout and stderr (attached to boot errors)
 * and, when not jailed, what the VMM makes and writes (jailed, these live in the jail's /run):
 *   api.sock  v.sock  console.log  firecracker.log  metrics.json
 * and, for a VM restored from a snapshot or woken from hibernation and not jailed, its links to
 * the saved files it was loaded from:
 *   snapshot.vmstate (until the load is done)  snapshot.memory (mapped for the VM's whole life)
 * and, while it is hibernated, its saved memory and device state (see hibernation.ts):
 *   hibernation/vmstate  hibernation/memory  hibernation/meta.json (written last)
 * Names are short: Firecracker binds the sockets itself, and Unix socket paths fit 107 bytes.
 *
 * Unjailed, the VMM runs in this directory and is given the disk, vsock and log paths relative
 * to it: a snapshot records the disk and vsock paths as given, and a VM restored from it runs in
 * its own directory, where the same relative paths name its own disk and socket (Firecracker's
 * rule for a load: the resources "at the same relative paths" as for the original process).
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { VmSpec } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import type { NetworkAttachment } from '../../core/network-attachment.js';
import { assertSocketPathFits, readJsonFile } from '../shared/state-files.js';
import { assertVmId, isVmId } from '../shared/vm-id.js';
import type { VmmPaths } from './boot-plan.js';
import { VMM_PATH } from './executables.js';

export interface StoredVm {
  spec: VmSpec;
  network: NetworkAttachment | null;
  /** The uid and gid the VM's VMM runs as under the jailer; null when not jailed. */
  jailUid: number | null;
}

export interface BootTimings {
  /** Spawn → the API answering. */
  vmmStartMs: number;
  /** The pre-boot API calls. */
  configureMs: number;
  /** InstanceStart → the guest's init printing its first line; null when no line was seen. */
  kernelBootMs: number | null;
  /** Then → the agent answering over vsock. */
  agentStartMs: number;
  totalMs: number;
}

export interface BootRecord {
  pid: number;
  /** The pid's start time (clock ticks since boot): with the pid, the process's identity. */
  startTime: string | null;
  jailed: boolean;
  imageId: string;
  kernel: string;
  bootedAt: string;
  timings: BootTimings | null;
}

export class FirecrackerVmDir {
  readonly dir: string;
  /** The VM's files when the VMM runs unjailed (host paths are what it sees). */
  readonly unjailed: VmmPaths & { apiSocket: string };
  /** The same files as the unjailed VMM is told them: relative to its working directory, `dir`. */
  readonly unjailedInside: Omit<VmmPaths, 'kernel'>;
  /** An unjailed restored VM's links to its snapshot's files. */
  readonly snapshotLinks: { vmstate: string; memory: string };
  /** Where the VM's memory and device state are saved while it is hibernated. */
  readonly hibernation: string;
  readonly rootfs: string;
  readonly vmmOutput: string;

  constructor(
    stateDir: string,
    readonly id: string,
  ) {
    assertVmId(id);
    this.dir = join(stateDir, 'v', id);
    this.rootfs = join(this.dir, 'rootfs.ext4');
    this.vmmOutput = join(this.dir, 'vmm.out');
    this.unjailed = {
      apiSocket: join(this.dir, 'api.sock'),
      vsock: join(this.dir, 'v.sock'),
      kernel: '', // the configured kernel, used in place
      rootfs: this.rootfs,
      console: join(this.dir, 'console.log'),
      log: join(this.dir, 'firecracker.log'),
      metrics: join(this.dir, 'metrics.json'),
    };
    this.unjailedInside = {
      rootfs: 'rootfs.ext4',
      vsock: 'v.sock',
      console: 'console.log',
      log: 'firecracker.log',
      metrics: 'metrics.json',
    };
    this.snapshotLinks = {
      vmstate: join(this.dir, 'snapshot.vmstate'),
      memory: join(this.dir, 'snapshot.memory'),
    };
    this.hibernation = join(this.dir, 'hibernation');
    assertSocketPathFits('firecracker', stateDir, this.unjailed.vsock);
  }

  private get vmPath(): string {
    return join(this.dir, 'vm.json');
  }

  private get bootPath(): string {
    return join(this.dir, 'boot.json');
  }

  read(): Promise<StoredVm | null> {
    return readJsonFile<StoredVm>(this.vmPath);
  }

  async create(stored: StoredVm): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFile(this.vmPath, JSON.stringify(stored));
  }

  readBoot(): Promise<BootRecord | null> {
    return readJsonFile<BootRecord>(this.bootPath);
  }

  writeBoot(record: BootRecord): Promise<void> {
    return writeFile(this.bootPath, JSON.stringify(record));
  }

  /**
   * What a previous run left: Firecracker never removes its sockets, and binding fails on a stale
   * one; the console, log and metrics files are started afresh (and must exist before it opens them);
   * the links to a snapshot a previous run was restored from are no longer needed.
   */
  async clearRuntime(): Promise<void> {
    const f = this.unjailed;
    await Promise.all([f.apiSocket, f.vsock].map((p) => rm(p, { force: true })));
    await this.dropSnapshotLinks();
    await Promise.all(
      [f.console, f.log, f.metrics, this.vmmOutput].map((p) => writeFile(p, '', { mode: 0o600 })),
    );
  }

  /** The links to the saved files a VMM was loaded from: once it is gone, nobody maps them. */
  async dropSnapshotLinks(): Promise<void> {
    await Promise.all(
      [this.snapshotLinks.vmstate, this.snapshotLinks.memory].map((p) => rm(p, { force: true })),
    );
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

export async function listFirecrackerVmIds(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(join(stateDir, 'v'))).filter(isVmId);
  } catch {
    return [];
  }
}

export async function tail(path: string, bytes = 3000): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).slice(-bytes).trim();
  } catch {
    return '';
  }
}

/** The VM's own disk: a reflink where the file system has them, else a sparse copy. */
export async function copyRootDisk(from: string, to: string): Promise<void> {
  try {
    await promisify(execFile)('cp', ['--reflink=auto', '--sparse=always', '--', from, to], {
      env: { PATH: VMM_PATH },
      timeout: 120_000,
    });
  } catch (error) {
    throw new AetherError(
      'ERR_DRIVER_FAILED',
      `cannot copy the root disk ${from}: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`,
      { cause: error },
    );
  }
}
