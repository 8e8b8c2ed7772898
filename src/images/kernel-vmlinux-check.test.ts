import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { elfWithNotes } from '../../test/support/elf.js';
import { assertBootableVmlinux } from './kernel-build.js';

describe('the check of a built vmlinux', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aether-vmlinux-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };

  it('finds the PVH note wherever the note segment is (11 MiB in, as in a tinyconfig 6.1 build)', async () => {
    await expect(
      assertBootableVmlinux(write('far', elfWithNotes([['Xen', 0x12]], 11 * 2 ** 20))),
    ).resolves.toBeUndefined();
  });

  it('refuses a kernel without it, naming the file', async () => {
    const file = write('none', elfWithNotes([['Linux', 1]], 1024));
    await expect(assertBootableVmlinux(file)).rejects.toMatchObject({ code: 'ERR_IMAGE_BUILD_FAILED' });
    await expect(assertBootableVmlinux(file)).rejects.toThrow(file);
  });
});
