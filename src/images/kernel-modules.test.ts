import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import {
  elfSection,
  moduleDepends,
  moduleName,
  orderModules,
  readModuleTree,
  resolveModules,
  VM_GUEST_MODULES,
} from './kernel-modules.js';

/** What modpost writes into a module's .modinfo: NUL-terminated key=value strings. */
function modinfo(fields: Record<string, string>): Buffer {
  return Buffer.from(
    Object.entries(fields)
      .map(([key, value]) => `${key}=${value}\0`)
      .join(''),
  );
}

/** A minimal little-endian ELF64 file with the given sections (plus the null one and .shstrtab). */
function elf64(sections: Record<string, Buffer>): Buffer {
  const names = ['', ...Object.keys(sections), '.shstrtab'];
  const shstrtab = Buffer.from(`${names.join('\0')}\0`);
  const bodies = [Buffer.alloc(0), ...Object.values(sections), shstrtab];
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // ELFCLASS64
  header[5] = 1; // little-endian
  let offset = 64;
  const offsets = bodies.map((body) => {
    const at = offset;
    offset += body.length;
    return at;
  });
  header.writeBigUInt64LE(BigInt(offset), 0x28);
  header.writeUInt16LE(64, 0x3a);
  header.writeUInt16LE(names.length, 0x3c);
  header.writeUInt16LE(names.length - 1, 0x3e);
  const table = Buffer.alloc(64 * names.length);
  let nameAt = 0;
  names.forEach((name, index) => {
    table.writeUInt32LE(nameAt, index * 64);
    table.writeBigUInt64LE(BigInt(offsets[index]!), index * 64 + 0x18);
    table.writeBigUInt64LE(BigInt(bodies[index]!.length), index * 64 + 0x20);
    nameAt += Buffer.byteLength(name) + 1;
  });
  return Buffer.concat([header, ...bodies, table]);
}

const dir = mkdtempSync(path.join(tmpdir(), 'aether-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('module names', () => {
  it('treat - and _ alike and drop .ko and compression suffixes', () => {
    expect(moduleName('drivers/char/hw_random/virtio-rng.ko')).toBe('virtio_rng');
    expect(moduleName('virtio-rng')).toBe('virtio_rng');
    expect(moduleName('ext4.ko.xz')).toBe('ext4');
  });
});

describe('modinfo depends', () => {
  it('reads the NUL-terminated depends= string of a synthetic buffer', () => {
    const bytes = Buffer.concat([
      Buffer.from('\x7fjunk before'),
      modinfo({ license: 'GPL', depends: 'jbd2,mbcache,crc16', name: 'ext4', vermagic: '6.1.0 SMP' }),
    ]);
    expect(moduleDepends(bytes)).toEqual(['jbd2', 'mbcache', 'crc16']);
  });

  it('ignores depends= inside another string, and reads an empty list as none', () => {
    expect(moduleDepends(Buffer.from('\0parm=xdepends=foo\0depends=\0name=crc16\0'))).toEqual([]);
    expect(moduleDepends(Buffer.from('depends=virtio-ring'))).toEqual(['virtio_ring']);
    expect(moduleDepends(Buffer.from('no such string'))).toEqual([]);
  });

  it('looks only in the .modinfo section of an ELF module', () => {
    const module = elf64({
      '.text': Buffer.from('\0depends=decoy_in_text\0'),
      '.modinfo': modinfo({ depends: 'virtio,virtio_ring', name: 'virtio_blk' }),
    });
    expect(elfSection(module, '.modinfo')?.toString()).toBe('depends=virtio,virtio_ring\0name=virtio_blk\0');
    expect(elfSection(module, '.nothing')).toBeNull();
    expect(moduleDepends(module)).toEqual(['virtio', 'virtio_ring']);
  });
});

describe('module order', () => {
  const deps: Record<string, string[] | null> = {
    ext4: ['jbd2', 'mbcache', 'crc16'],
    jbd2: [],
    mbcache: [],
    crc16: [],
    virtio_blk: ['virtio', 'virtio_ring'],
    virtio: ['virtio_ring'],
    virtio_ring: [],
    rng_core: null, // built in
    virtio_rng: ['virtio', 'virtio_ring', 'rng_core'],
  };
  const dependsOf = (name: string) => {
    if (!(name in deps)) throw new Error(`asked about ${name}`);
    return deps[name]!;
  };

  it('puts every module after what it depends on, otherwise in the order wanted, each once', () => {
    expect(orderModules(['ext4', 'virtio_blk', 'virtio-rng', 'virtio'], dependsOf)).toEqual([
      'jbd2',
      'mbcache',
      'crc16',
      'ext4',
      'virtio_ring',
      'virtio',
      'virtio_blk',
      'virtio_rng',
    ]);
  });

  it('leaves out built-in modules and fails on a cycle', () => {
    expect(orderModules(['rng_core'], dependsOf)).toEqual([]);
    const cyclic = (name: string) => (name === 'a' ? ['b'] : ['a']);
    expect(() => orderModules(['a'], cyclic)).toThrow(
      'kernel modules depend on each other in a cycle: a → b → a',
    );
  });
});

describe('resolving modules in an unpacked kernel package', () => {
  function tree(name: string, modules: Record<string, string>, builtin: string[] = []): string {
    const root = path.join(dir, name, 'lib/modules/6.1.0-99-amd64');
    for (const [file, depends] of Object.entries(modules)) {
      mkdirSync(path.dirname(path.join(root, 'kernel', file)), { recursive: true });
      writeFileSync(path.join(root, 'kernel', file), modinfo({ depends, name: moduleName(file) }));
    }
    writeFileSync(path.join(root, 'modules.builtin'), builtin.map((b) => `kernel/${b}.ko\n`).join(''));
    return root;
  }

  it('follows depends= from the wanted modules and finds files by normalised name', async () => {
    const root = tree(
      'ok',
      {
        'drivers/virtio/virtio_ring.ko': '',
        'drivers/virtio/virtio.ko': 'virtio_ring',
        'drivers/char/hw_random/virtio-rng.ko': 'virtio,virtio_ring,rng-core',
        'drivers/block/virtio_blk.ko': 'virtio,virtio_ring',
        'fs/unrelated.ko': '',
      },
      ['drivers/char/hw_random/rng-core'],
    );
    const resolved = await resolveModules(await readModuleTree(root), ['virtio_rng', 'virtio_blk']);
    expect(resolved.map((m) => m.name)).toEqual(['virtio_ring', 'virtio', 'virtio_rng', 'virtio_blk']);
    expect(resolved[2]!.file).toBe(path.join(root, 'kernel/drivers/char/hw_random/virtio-rng.ko'));
  });

  it('fails naming a module that is missing, or compressed', async () => {
    const missing = tree('missing', { 'fs/ext4.ko': 'jbd2' });
    const error = await resolveModules(await readModuleTree(missing), ['ext4']).catch((e) => e);
    expect(isAetherError(error, 'ERR_IMAGE_BUILD_FAILED')).toBe(true);
    expect(error.message).toContain('kernel module jbd2 is neither in');

    const compressed = tree('compressed', { 'fs/ext4.ko.xz': '' });
    const xz = await resolveModules(await readModuleTree(compressed), ['ext4']).catch((e) => e);
    expect(xz.message).toBe(
      'kernel module ext4 is compressed (ext4.ko.xz); the initramfs loads plain .ko files only ' +
        '(Debian bookworm kernels ship them)',
    );
  });

  it('wants what a microVM guest needs: disk, console, entropy, network, ext4 and its checksum', () => {
    for (const name of ['virtio_mmio', 'virtio_blk', 'virtio_console', 'virtio_rng', 'virtio_net', 'ext4'])
      expect(VM_GUEST_MODULES).toContain(name);
    expect(VM_GUEST_MODULES.indexOf('crc32c_generic')).toBeLessThan(VM_GUEST_MODULES.indexOf('ext4'));
  });
});
