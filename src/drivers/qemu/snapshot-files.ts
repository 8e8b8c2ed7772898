/**
 * On-disk state of one QEMU snapshot, `<stateDir>/snapshots/<id>/`:
 *   state.bin   the migration stream: device state and guest RAM, saved while paused
 *   disk.qcow2  the source VM's disk at that instant (restored VMs get an overlay over it)
 *   meta.json   written last: its presence means the snapshot is complete
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AetherError } from '../../core/errors.js';
import { assertVmId } from '../shared/vm-id.js';
import type { Accel, GuestImage } from './settings.js';

/** Everything a restore must reproduce: QEMU refuses a state stream from another machine shape. */
export interface QemuSnapshotMeta {
  id: string;
  sourceVmId: string;
  vcpus: number;
  memoryMiB: number;
  network: boolean;
  accel: Accel;
  image: GuestImage;
  createdAt: string;
  sizeBytes: number;
  durationMs: number;
}

/** The state path goes into a migration URI that QEMU runs through `/bin/sh`: plain characters only. */
const SHELL_SAFE_PATH = /^[A-Za-z0-9/._-]+$/;

export class QemuSnapshotDir {
  readonly dir: string;
  readonly state: string;
  readonly disk: string;
  private readonly metaPath: string;

  /**
   * The snapshot `id` of the snapshot store, or, with `dir`, a saved state kept elsewhere (a
   * hibernated VM's, in its own directory: no disk copy there, the VM keeps its disk).
   */
  constructor(stateDir: string, id: string, dir?: string) {
    assertVmId(id);
    this.dir = dir ?? join(stateDir, 'snapshots', id);
    this.state = join(this.dir, 'state.bin');
    this.disk = join(this.dir, 'disk.qcow2');
    this.metaPath = join(this.dir, 'meta.json');
    if (!SHELL_SAFE_PATH.test(this.state)) {
      throw new AetherError(
        'ERR_CONFIG',
        `qemu driver: snapshot path ${this.state} holds characters other than letters, digits, / . _ -`,
      );
    }
  }

  /** QEMU `migrate` URI that writes the state file (the path is checked shell-safe above). */
  get saveUri(): string {
    return `exec:cat > '${this.state}'`;
  }

  /** QEMU `-incoming` URI that reads it back. */
  get loadUri(): string {
    return `exec:cat '${this.state}'`;
  }

  async readMeta(): Promise<QemuSnapshotMeta | null> {
    try {
      return JSON.parse(await readFile(this.metaPath, 'utf8')) as QemuSnapshotMeta;
    } catch {
      return null;
    }
  }

  /** A fresh directory: what an earlier, unfinished attempt left is dropped. */
  async prepare(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async sizeBytes(): Promise<number> {
    const sizes = await Promise.all(
      [this.state, this.disk].map((p) =>
        stat(p).then(
          (st) => st.size,
          () => 0,
        ),
      ),
    );
    return sizes.reduce((a, b) => a + b, 0);
  }

  writeMeta(meta: QemuSnapshotMeta): Promise<void> {
    return writeFile(this.metaPath, JSON.stringify(meta));
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
