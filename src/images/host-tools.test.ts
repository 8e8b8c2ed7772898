import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import { checkBuildHost, checkVmBuildHost, findTool, searchDirs } from './host-tools.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aether-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeTool(where: string, name: string, mode = 0o755): string {
  mkdirSync(where, { recursive: true });
  const file = path.join(where, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, mode);
  return file;
}

function thrown(fn: () => unknown): { code: string; message: string; details: unknown } {
  try {
    fn();
  } catch (error) {
    if (isAetherError(error)) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error('did not throw');
}

describe('host tools', () => {
  it('names the missing tool and the package to install', () => {
    const error = thrown(() => checkBuildHost({ path: '', extraDirs: [], uid: 0 }));
    expect(error.code).toBe('ERR_HOST_TOOL_MISSING');
    expect(error.message).toBe(
      'debootstrap not found on PATH: install it with `apt-get install debootstrap`',
    );
    expect(error.details).toEqual({ tool: 'debootstrap', package: 'debootstrap' });
  });

  it('checks tar too', () => {
    const bin = path.join(dir, 'only-debootstrap');
    fakeTool(bin, 'debootstrap');
    const error = thrown(() => checkBuildHost({ path: bin, extraDirs: [], uid: 0 }));
    expect(error.message).toBe('tar not found on PATH: install it with `apt-get install tar`');
  });

  it('looks in the sbin directories after PATH, where debootstrap lives', () => {
    const sbin = path.join(dir, 'sbin');
    const debootstrap = fakeTool(sbin, 'debootstrap');
    const tar = fakeTool(path.join(dir, 'bin'), 'tar');
    expect(findTool('debootstrap', { path: path.join(dir, 'bin'), extraDirs: [sbin] })).toBe(debootstrap);
    expect(checkBuildHost({ path: path.join(dir, 'bin'), extraDirs: [sbin], uid: 0 })).toEqual({
      debootstrap,
      tar,
    });
    // The default extra directories are /usr/sbin and /sbin, after PATH, each once.
    expect(searchDirs({ path: `/usr/bin:relative:/usr/sbin` })).toEqual(['/usr/bin', '/usr/sbin', '/sbin']);
  });

  it('skips files that are not executable', () => {
    const where = path.join(dir, 'noexec');
    fakeTool(where, 'debootstrap', 0o644);
    expect(findTool('debootstrap', { path: where, extraDirs: [] })).toBeNull();
  });

  it('requires root, saying why', () => {
    const sbin = path.join(dir, 'sbin');
    const error = thrown(() => checkBuildHost({ path: path.join(dir, 'bin'), extraDirs: [sbin], uid: 1000 }));
    expect(error.code).toBe('ERR_HOST_TOOL_MISSING');
    expect(error.message).toBe(
      'debootstrap needs root (running as uid 1000): run the build as root, e.g. with sudo',
    );
  });

  it('names each tool of the microVM build with the Debian package that ships it', () => {
    const bin = path.join(dir, 'vm-bin');
    const expectMissing = (message: string) =>
      expect(thrown(() => checkVmBuildHost({ path: bin, extraDirs: [], uid: 0 })).message).toBe(message);
    expectMissing('apt-get not found on PATH: install it with `apt-get install apt`');
    fakeTool(bin, 'apt-get');
    expectMissing('apt-cache not found on PATH: install it with `apt-get install apt`');
    fakeTool(bin, 'apt-cache');
    expectMissing('dpkg-deb not found on PATH: install it with `apt-get install dpkg`');
    fakeTool(bin, 'dpkg-deb');
    expectMissing('mke2fs not found on PATH: install it with `apt-get install e2fsprogs`');
    fakeTool(bin, 'mke2fs');
    expectMissing('tar not found on PATH: install it with `apt-get install tar`');
    fakeTool(bin, 'tar');
    expectMissing('xz not found on PATH: install it with `apt-get install xz-utils`');
    fakeTool(bin, 'xz');
    expect(Object.keys(checkVmBuildHost({ path: bin, extraDirs: [], uid: 0 }))).toEqual([
      'apt-get',
      'apt-cache',
      'dpkg-deb',
      'mke2fs',
      'tar',
      'xz',
    ]);
    const error = thrown(() => checkVmBuildHost({ path: bin, extraDirs: [], uid: 1000 }));
    expect(error.message).toBe(
      'the microVM image build needs root (running as uid 1000) to unpack the rootfs with its owners ' +
        'and device nodes: run the build as root, e.g. with sudo',
    );
  });
});
