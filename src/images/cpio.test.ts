import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type CpioEntry, createCpioArchive, parseCpioArchive } from './cpio.js';
import { findTool } from './host-tools.js';

const ENTRIES: CpioEntry[] = [
  { type: 'dir', name: 'bin' },
  { type: 'dir', name: '/dev' },
  { type: 'char', name: 'dev/console', major: 5, minor: 1 },
  // Name lengths 1..4 past a multiple of 4 and data of 0..3 bytes past one: every padding case.
  { type: 'file', name: 'bin/busybox', data: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]), mode: 0o755 },
  { type: 'symlink', name: 'bin/sh', target: 'busybox' },
  { type: 'file', name: 'init', data: '#!/bin/sh\necho hi\n', mode: 0o755 },
  { type: 'file', name: 'empty', data: '' },
  { type: 'file', name: 'abc', data: 'abc' },
];

const cpio = findTool('cpio', { path: process.env.PATH });

describe('cpio newc writer', () => {
  const archive = createCpioArchive(ENTRIES);

  it('writes 070701 headers, 4-byte aligned names and data, and a trailer', () => {
    expect(archive.toString('ascii', 0, 6)).toBe('070701');
    expect(archive.length % 4).toBe(0);
    // The trailer: its header, then "TRAILER!!!\0" padded to 4.
    const trailer = archive.lastIndexOf('070701');
    expect(archive.toString('ascii', trailer + 110, trailer + 120)).toBe('TRAILER!!!');
    expect(archive.length).toBe(trailer + 124);
  });

  it('reads back what was written: names without a leading slash, types, modes, devices, data', () => {
    const members = parseCpioArchive(archive);
    expect(members.map((m) => [m.name, m.mode.toString(8), m.data.toString('latin1')])).toEqual([
      ['bin', '40755', ''],
      ['dev', '40755', ''],
      ['dev/console', '20600', ''],
      ['bin/busybox', '100755', '\x7fELF\0\x01'],
      ['bin/sh', '120777', 'busybox'],
      ['init', '100755', '#!/bin/sh\necho hi\n'],
      ['empty', '100644', ''],
      ['abc', '100644', 'abc'],
    ]);
    const node = members.find((m) => m.name === 'dev/console')!;
    expect([node.rdevMajor, node.rdevMinor]).toEqual([5, 1]);
    // Reproducible: owned by root, mtime 0.
    expect(members.every((m) => m.uid === 0 && m.gid === 0 && m.mtime === 0)).toBe(true);
    expect(createCpioArchive(ENTRIES).equals(archive)).toBe(true);
  });

  it('refuses names it cannot write', () => {
    expect(() => createCpioArchive([{ type: 'dir', name: '/' }])).toThrow(/bad entry name/);
    expect(() => createCpioArchive([{ type: 'file', name: 'a\0b', data: '' }])).toThrow(/bad entry name/);
  });

  it.skipIf(!cpio)('is read by GNU cpio as written (skipped when cpio is not on PATH)', () => {
    const list = spawnSync(cpio!, ['-t', '--quiet'], { input: archive, encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual(ENTRIES.map((e) => e.name.replace(/^\//, '')));
    const verbose = spawnSync(cpio!, ['-tv', '--quiet'], { input: archive, encoding: 'utf8' }).stdout;
    expect(verbose).toMatch(/^crw------- .* 5, +1 .* dev\/console$/m);
    expect(verbose).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/m);
    expect(verbose).toMatch(/^-rwxr-xr-x .* 18 .* init$/m);
  });
});
