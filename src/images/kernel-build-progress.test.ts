import { describe, expect, it } from 'vitest';
import {
  createCompileProgress,
  formatKernelProgress,
  isCompileLine,
  parseKbuildLine,
} from './kernel-build-progress.js';

describe('make output parsing', () => {
  it('reads kbuild short lines', () => {
    expect(parseKbuildLine('  CC      kernel/fork.o')).toEqual({ verb: 'CC', target: 'kernel/fork.o' });
    expect(parseKbuildLine('  HOSTCC  scripts/basic/fixdep')).toEqual({
      verb: 'HOSTCC',
      target: 'scripts/basic/fixdep',
    });
    expect(parseKbuildLine('  CC [M]  fs/ext4/inode.o')).toEqual({ verb: 'CC', target: 'fs/ext4/inode.o' });
    expect(parseKbuildLine('  LD      vmlinux.o')).toEqual({ verb: 'LD', target: 'vmlinux.o' });
    expect(parseKbuildLine("make[1]: Entering directory '/src/linux'")).toBeNull();
    expect(parseKbuildLine('kernel/fork.c:12:1: warning: unused')).toBeNull();
    expect(parseKbuildLine('')).toBeNull();
  });

  it('counts compiles, not links or generated files', () => {
    expect(isCompileLine('  CC      init/main.o')).toBe(true);
    expect(isCompileLine('  AS      arch/x86/entry/entry_64.o')).toBe(true);
    expect(isCompileLine('  LD      vmlinux.o')).toBe(false);
    expect(isCompileLine('  AR      built-in.a')).toBe(false);
    expect(isCompileLine('  GEN     Makefile')).toBe(false);
    expect(isCompileLine('  SYNC    include/config/auto.conf')).toBe(false);
  });
});

describe('compile progress', () => {
  it('reports every N files', () => {
    const progress = createCompileProgress({ everyFiles: 3, everyMs: 1e9, now: () => 0 });
    const events = [
      '  CC      a.o',
      '  LD      x',
      '  CC      b.o',
      '  AS      c.o',
      '  CC      d.o',
      '  CC      e.o',
      '  CC      f.o',
    ]
      .map(progress)
      .filter((event) => event !== null);
    expect(events.map((event) => [event.count, event.file])).toEqual([
      [3, 'c.o'],
      [6, 'f.o'],
    ]);
    expect(events[0]?.stage).toBe('compile');
  });

  it('reports after a few seconds even when fewer files were compiled', () => {
    let clock = 0;
    const progress = createCompileProgress({ everyFiles: 1000, everyMs: 5000, now: () => clock });
    expect(progress('  CC      a.o')).toBeNull();
    clock = 4999;
    expect(progress('  CC      b.o')).toBeNull();
    clock = 5000;
    expect(progress('  CC      c.o')?.count).toBe(3);
    clock = 6000;
    // No new compile line, no event, however long it has been.
    expect(progress('  LD      vmlinux')).toBeNull();
  });

  it('formats one line per event', () => {
    expect(
      formatKernelProgress({
        stage: 'compile',
        count: 200,
        file: 'mm/slub.o',
        message: 'compiled 200 files (mm/slub.o)',
      }),
    ).toBe('compile   compiled 200 files (mm/slub.o)');
  });
});
