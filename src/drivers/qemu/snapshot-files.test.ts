import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAetherError } from '../../core/errors.js';
import { deleteQemuSnapshot } from './qemu-snapshot.js';
import { QemuSnapshotDir } from './snapshot-files.js';
import { QemuVmDir } from './vm-files.js';

describe('qemu snapshot files', () => {
  it('keeps each snapshot under <stateDir>/snapshots/<id> with shell-safe migration URIs', () => {
    const snap = new QemuSnapshotDir('/data/qemu', 'a1b2-c3');
    expect(snap.dir).toBe('/data/qemu/snapshots/a1b2-c3');
    expect(snap.saveUri).toBe("exec:cat > '/data/qemu/snapshots/a1b2-c3/state.bin'");
    expect(snap.loadUri).toBe("exec:cat '/data/qemu/snapshots/a1b2-c3/state.bin'");
  });

  it('refuses ids and state dirs that could escape the directory or the shell quoting', () => {
    for (const [stateDir, id] of [
      ['/data/qemu', '../x'],
      ['/data/qemu', "x';rm -rf /'"],
      ["/data/it's", 'x'],
      ['/data/a b', 'x'],
    ] as const) {
      let error: unknown;
      try {
        new QemuSnapshotDir(stateDir, id);
      } catch (e) {
        error = e;
      }
      expect(isAetherError(error), `${stateDir} ${id}`).toBe(true);
    }
  });

  it('deletes a snapshot only once no VM or pool member overlays its disk, idempotently', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'aether-qsnap-'));
    try {
      const snap = new QemuSnapshotDir(stateDir, 'snap1');
      await snap.prepare();
      const vm = new QemuVmDir(stateDir, 'vm1');
      await vm.create({ id: 'vm1', name: 'one', vcpus: 1, memoryMiB: 256 });
      await vm.writeSourceSnapshot('snap1');
      const member = new QemuVmDir(stateDir, 'p1', 'pool');
      await member.create({ id: 'p1', name: 'p1', vcpus: 1, memoryMiB: 256 });
      await member.writeSourceSnapshot('snap1');

      await expect(deleteQemuSnapshot(stateDir, 'snap1')).rejects.toMatchObject({
        code: 'ERR_SNAPSHOT_IN_USE',
        details: { vms: ['vm1', 'p1'] },
      });
      await vm.remove();
      await expect(deleteQemuSnapshot(stateDir, 'snap1')).rejects.toMatchObject({
        code: 'ERR_SNAPSHOT_IN_USE',
      });
      await member.remove();
      await deleteQemuSnapshot(stateDir, 'snap1');
      expect(existsSync(snap.dir)).toBe(false);
      await deleteQemuSnapshot(stateDir, 'snap1');
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
