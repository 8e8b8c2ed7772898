import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import { GUEST_INIT_SCRIPT } from './vm-init-scripts.js';
import {
  lockRootPassword,
  mke2fsArgs,
  pathInRoot,
  prepareVmRootfs,
  treeBytes,
  uuidFromHex,
  vmDiskSizeMiB,
} from './vm-rootfs.js';

const work = mkdtempSync(path.join(tmpdir(), 'aether-vm-rootfs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const MIB = 2 ** 20;

let root = '';
let outside = '';
beforeEach(() => {
  const case_ = mkdtempSync(path.join(work, 'case-'));
  root = path.join(case_, 'root');
  outside = path.join(case_, 'host');
  mkdirSync(outside);
  // A merged-/usr Debian tree in miniature.
  for (const dir of ['usr/bin', 'usr/sbin', 'etc', 'opt', 'home'])
    mkdirSync(path.join(root, dir), { recursive: true });
  symlinkSync('usr/sbin', path.join(root, 'sbin'));
  symlinkSync('usr/bin', path.join(root, 'bin'));
  for (const program of ['tini', 'node', 'ip']) writeFileSync(path.join(root, 'usr/bin', program), '');
  writeFileSync(path.join(root, 'etc/shadow'), 'root::20000:0:99999:7:::\nuser:$y$hash:20000::::::\n');
  writeFileSync(path.join(root, 'etc/fstab'), '# UNCONFIGURED FSTAB FOR BASE SYSTEM\n');
});

describe('paths inside the guest tree', () => {
  it('follow relative and absolute symlinks without leaving the tree', async () => {
    symlinkSync('/usr/sbin', path.join(root, 'etc/abs'));
    symlinkSync(outside, path.join(root, 'etc/escape'));
    symlinkSync('../../../../..', path.join(root, 'etc/up'));
    expect(await pathInRoot(root, '/sbin/aether-init')).toBe(path.join(root, 'usr/sbin/aether-init'));
    expect(await pathInRoot(root, '/etc/abs/x')).toBe(path.join(root, 'usr/sbin/x'));
    // An absolute link to a host path means that path inside the guest.
    expect(await pathInRoot(root, '/etc/escape/x')).toBe(path.join(root, outside, 'x'));
    expect(await pathInRoot(root, '/etc/up/etc')).toBe(path.join(root, 'etc'));
  });

  it('stop at a symlink loop', async () => {
    symlinkSync('loop', path.join(root, 'etc/loop'));
    await expect(pathInRoot(root, '/etc/loop/x')).rejects.toThrow('too many symlinks');
  });
});

describe('preparing the rootfs of a microVM', () => {
  const agent = Buffer.from('export const agent = 1;\n');

  it('adds the agent as .mjs and aether-init (through the /sbin symlink), sets identity, locks root', async () => {
    await prepareVmRootfs(root, agent);
    expect(readFileSync(path.join(root, 'opt/aether/agent.mjs'))).toEqual(agent);
    const init = path.join(root, 'usr/sbin/aether-init');
    expect(readFileSync(init, 'utf8')).toBe(GUEST_INIT_SCRIPT);
    expect(statSync(init).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(root, 'etc/hostname'), 'utf8')).toBe('aether\n');
    expect(readFileSync(path.join(root, 'etc/fstab'), 'utf8')).toContain(
      'LABEL=aether-root / ext4 rw,relatime 0 1',
    );
    expect(readFileSync(path.join(root, 'etc/shadow'), 'utf8')).toBe(
      'root:*:20000:0:99999:7:::\nuser:$y$hash:20000::::::\n',
    );
    expect(statSync(path.join(root, 'home/user')).isDirectory()).toBe(true);
  });

  it('replaces a symlinked /etc/hostname rather than writing through it to the host', async () => {
    const hostFile = path.join(outside, 'hostname');
    writeFileSync(hostFile, 'build-host\n');
    symlinkSync(hostFile, path.join(root, 'etc/hostname'));
    await prepareVmRootfs(root, agent);
    expect(readFileSync(hostFile, 'utf8')).toBe('build-host\n');
    expect(readFileSync(path.join(root, 'etc/hostname'), 'utf8')).toBe('aether\n');
  });

  it('refuses a tree without tini, naming the package', async () => {
    rmSync(path.join(root, 'usr/bin/tini'));
    const error = await prepareVmRootfs(root, agent).catch((e) => e);
    expect(isAetherError(error, 'ERR_VALIDATION')).toBe(true);
    expect(error.message).toBe(
      'the guest rootfs has no /usr/bin/tini: a microVM image needs the package tini (add it to --packages)',
    );
  });

  it('keeps an already locked password and leaves other lines alone', () => {
    expect(lockRootPassword('root:!:1::::::\nx::1')).toBe('root:!:1::::::\nx::1');
    expect(lockRootPassword('root:$6$abc:1::::::')).toBe('root:*:1::::::');
  });

  it('measures the tree in 4 KiB blocks', async () => {
    writeFileSync(path.join(root, 'etc/big'), Buffer.alloc(5000));
    const before = await treeBytes(root);
    writeFileSync(path.join(root, 'etc/small'), 'x');
    expect(await treeBytes(root)).toBe(before + 4096);
  });
});

describe('the ext4 image', () => {
  it('is 4 GiB by default, grows for a big tree, and refuses an explicit size that is too small', () => {
    expect(vmDiskSizeMiB(340 * MIB)).toBe(4096);
    expect(vmDiskSizeMiB(4000 * MIB)).toBe(5456);
    expect(vmDiskSizeMiB(340 * MIB, 1024)).toBe(1024);
    const error = (() => {
      try {
        vmDiskSizeMiB(340 * MIB, 512);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(isAetherError(error, 'ERR_VALIDATION')).toBe(true);
    expect(error?.message).toBe(
      "disk size 512 MiB is too small: the guest's files take 340 MiB, so the root disk needs at least 698 MiB",
    );
  });

  it('is made by mke2fs from the tree, labelled, with a UUID from the content address', () => {
    const hex = 'a'.repeat(64);
    expect(uuidFromHex(hex)).toBe('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    expect(mke2fsArgs('/t', '/i.ext4', 4096, uuidFromHex(hex))).toEqual([
      '-q',
      '-F',
      '-t',
      'ext4',
      '-L',
      'aether-root',
      '-U',
      'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
      '-E',
      'assume_storage_prezeroed=1',
      '-d',
      '/t',
      '/i.ext4',
      '4096M',
    ]);
    expect(mke2fsArgs('/t', '/i.ext4', 4096, 'u', false)).not.toContain('-E');
  });
});
