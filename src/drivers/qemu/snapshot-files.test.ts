import { describe, expect, it } from 'vitest';
import { isAetherError } from '../../core/errors.js';
import { QemuSnapshotDir } from './snapshot-files.js';

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
});
