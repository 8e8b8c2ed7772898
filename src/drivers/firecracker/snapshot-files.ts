/**
 * On-disk state of one Firecracker snapshot, `<stateDir>/s/<id>/`:
 *   vmstate      Firecracker's microVM state file (devices, vCPUs, KVM)
 *   memory       the guest memory file; a restored VM maps it for its whole life, so each one
 *                holds a hard link of its own and deleting the snapshot never pulls it away
 *   rootfs.ext4  the source VM's disk at the snapshot instant (Firecracker does not save disks);
 *                every restored VM starts from its own copy
 *   meta.json    written last: its presence means the snapshot is complete
 * A hibernated VM keeps the same files but the disk in its own directory (see hibernation.ts).
 */
import { chmod, chown, link, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AetherError } from '../../core/errors.js';
import { readJsonFile } from '../shared/state-files.js';
import { assertVmId } from '../shared/vm-id.js';

/**
 * How the source VMM named the disk and the vsock socket, which the snapshot records and a load
 * opens again: `jail` — paths inside the jailer's chroot (`/rootfs.ext4`, `/run/v.sock`), the
 * same in every jail; `cwd` — paths relative to the VMM's working directory, its VM directory.
 */
export type SnapshotLayout = 'jail' | 'cwd';

export interface FirecrackerSnapshotMeta {
  id: string;
  sourceVmId: string;
  vcpus: number;
  memoryMiB: number;
  imageId: string;
  layout: SnapshotLayout;
  /** The vsock port the guest's agent listens on (its listening socket survives the restore). */
  agentPort: number;
  /** `GET /version` of the VMM that saved it: loads are only documented on the same version. */
  firecrackerVersion: string | null;
  createdAt: string;
  sizeBytes: number;
  durationMs: number;
}

/**
 * A microVM Firecracker saved: its state file, its memory file and `meta.json`, written last (its
 * presence means the rest is complete) and removed first (a removal cut short leaves nothing that
 * counts as complete). A snapshot's directory, or a hibernated VM's inside its own directory.
 */
export class SavedMicrovmFiles {
  readonly vmstate: string;
  readonly memory: string;
  private readonly metaPath: string;

  constructor(readonly dir: string) {
    this.vmstate = join(this.dir, 'vmstate');
    this.memory = join(this.dir, 'memory');
    this.metaPath = join(this.dir, 'meta.json');
  }

  readMeta(): Promise<FirecrackerSnapshotMeta | null> {
    return readJsonFile<FirecrackerSnapshotMeta>(this.metaPath);
  }

  /** A fresh directory: what an earlier, unfinished attempt left is dropped. */
  async prepare(): Promise<void> {
    await this.remove();
    await mkdir(join(this.dir, '..'), { recursive: true, mode: 0o700 });
    await mkdir(this.dir, { mode: 0o700 });
  }

  /**
   * Who may read the saved files: this process only, or (jailed) also the jailed VMMs' group,
   * whose members each see only what is linked into their own chroot. Guest memory is secret.
   */
  async protect(jailGid: number | null): Promise<void> {
    for (const path of [this.vmstate, this.memory]) {
      if (jailGid !== null) {
        await chown(path, process.getuid?.() ?? 0, jailGid);
        await chmod(path, 0o440);
      } else {
        await chmod(path, 0o400);
      }
    }
  }

  async sizeBytes(): Promise<number> {
    const sizes = await Promise.all(this.files().map((p) => stat(p).then((st) => st.blocks * 512)));
    return sizes.reduce((a, b) => a + b, 0);
  }

  writeMeta(meta: FirecrackerSnapshotMeta): Promise<void> {
    return writeFile(this.metaPath, JSON.stringify(meta));
  }

  async remove(): Promise<void> {
    await rm(this.metaPath, { force: true });
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The files the save is made of (what `sizeBytes` counts). */
  protected files(): string[] {
    return [this.vmstate, this.memory];
  }
}

/** A snapshot: the saved microVM plus a copy of its disk, `<stateDir>/s/<id>/`. */
export class FirecrackerSnapshotDir extends SavedMicrovmFiles {
  readonly rootfs: string;

  constructor(
    stateDir: string,
    readonly id: string,
  ) {
    assertVmId(id);
    super(join(stateDir, 's', id));
    this.rootfs = join(this.dir, 'rootfs.ext4');
  }

  override async protect(jailGid: number | null): Promise<void> {
    await super.protect(jailGid);
    // Only ever copied by this process, never opened by a VMM.
    await chmod(this.rootfs, 0o400);
  }

  protected override files(): string[] {
    return [...super.files(), this.rootfs];
  }
}

/** A hard link of a snapshot file; both must be on one file system (the data dir). */
export async function linkSnapshotFile(from: string, to: string): Promise<void> {
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EXDEV') {
      throw new AetherError(
        'ERR_CONFIG',
        `${to} and the snapshot file ${from} are on different file systems: put the chroot base and the data dir on one file system (snapshot files are hard-linked)`,
        { cause: error },
      );
    }
    throw error;
  }
}
