/**
 * The kernel modules a microVM guest loads from its initramfs, found in an unpacked Debian
 * kernel package. The package ships no modules.dep, so each module's dependencies are read
 * from its own `.modinfo` section (`depends=a,b`, NUL-terminated, written by modpost) and the
 * wanted modules are put in load order: every module after the ones it depends on.
 * Module names treat `-` and `_` alike (`virtio-rng.ko` is the module `virtio_rng`).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AetherError } from '../core/errors.js';

/**
 * What the guest needs before its root is mounted, in the order they are wanted: virtio over
 * MMIO (microvm has no PCI), the disk, the agent's serial port, the entropy source, the network
 * card, and ext4 with the checksum module it asks the crypto API for (not a `depends=`).
 */
export const VM_GUEST_MODULES: readonly string[] = Object.freeze([
  'virtio_ring',
  'virtio',
  'virtio_mmio',
  'virtio_blk',
  'virtio_console',
  'virtio_rng',
  'failover',
  'net_failover',
  'virtio_net',
  'crc16',
  'crc32c_generic',
  'jbd2',
  'mbcache',
  'ext4',
]);

/** `virtio-rng`, `virtio-rng.ko` → `virtio_rng`. */
export function moduleName(fileOrName: string): string {
  return path
    .basename(fileOrName)
    .replace(/\.ko(\.(xz|zst|gz))?$/, '')
    .replace(/-/g, '_');
}

/** The bytes of the ELF64 section `name`, or null when `bytes` is not a little-endian ELF64 file that has it. */
export function elfSection(bytes: Uint8Array, name: string): Uint8Array | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) return null;
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const shstrndx = buf.readUInt16LE(0x3e);
  if (shentsize < 64 || shoff + shnum * shentsize > buf.length || shstrndx >= shnum) return null;
  const section = (index: number) => {
    const at = shoff + index * shentsize;
    return {
      name: buf.readUInt32LE(at),
      offset: Number(buf.readBigUInt64LE(at + 0x18)),
      size: Number(buf.readBigUInt64LE(at + 0x20)),
    };
  };
  const names = section(shstrndx);
  for (let index = 0; index < shnum; index++) {
    const candidate = section(index);
    const start = names.offset + candidate.name;
    const end = buf.indexOf(0, start);
    if (end < 0 || buf.toString('latin1', start, end) !== name) continue;
    if (candidate.offset + candidate.size > buf.length) return null;
    return buf.subarray(candidate.offset, candidate.offset + candidate.size);
  }
  return null;
}

/**
 * The module names of the `depends=` string of a module file: looked for in its `.modinfo`
 * section, or in all of `bytes` when they are not ELF (a test's synthetic buffer). A string
 * counts only at the start or after a NUL, and ends at the next NUL. None found: no dependency.
 */
export function moduleDepends(bytes: Uint8Array): string[] {
  const where = Buffer.from(elfSection(bytes, '.modinfo') ?? bytes);
  const key = Buffer.from('depends=');
  for (let at = where.indexOf(key); at >= 0; at = where.indexOf(key, at + 1)) {
    if (at > 0 && where[at - 1] !== 0) continue;
    const end = where.indexOf(0, at);
    const value = where.toString('latin1', at + key.length, end < 0 ? where.length : end);
    return value
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map(moduleName);
  }
  return [];
}

/**
 * `wanted` and everything they depend on, each once, every module after its dependencies;
 * otherwise in the order wanted. `dependsOf` returns null for a module that is built into the
 * kernel (it needs no loading, and is left out). Throws on a cycle.
 */
export function orderModules(
  wanted: readonly string[],
  dependsOf: (name: string) => readonly string[] | null,
): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  const visit = (name: string) => {
    if (done.has(name)) return;
    if (visiting.includes(name))
      throw new Error(`kernel modules depend on each other in a cycle: ${[...visiting, name].join(' → ')}`);
    const deps = dependsOf(name);
    if (deps !== null) {
      visiting.push(name);
      for (const dep of deps) visit(moduleName(dep));
      visiting.pop();
      order.push(name);
    }
    done.add(name);
  };
  for (const name of wanted) visit(moduleName(name));
  return order;
}

/** The modules of one kernel release, by name. */
export interface ModuleTree {
  /** `lib/modules/<release>` of the unpacked package. */
  dir: string;
  /** Module name → absolute path of its file (plain or compressed). */
  files: Map<string, string>;
  /** Names of the modules built into the kernel (modules.builtin). */
  builtin: Set<string>;
}

/** Indexes `lib/modules/<release>/kernel` and reads modules.builtin. */
export async function readModuleTree(dir: string): Promise<ModuleTree> {
  const entries = await readdir(path.join(dir, 'kernel'), { recursive: true }).catch((error) => {
    throw new AetherError('ERR_IMAGE_BUILD_FAILED', `kernel package has no modules in ${dir}/kernel`, {
      cause: error,
    });
  });
  const files = new Map<string, string>();
  for (const entry of entries) {
    if (/\.ko(\.(xz|zst|gz))?$/.test(entry)) files.set(moduleName(entry), path.join(dir, 'kernel', entry));
  }
  const builtinText = await readFile(path.join(dir, 'modules.builtin'), 'utf8').catch(() => '');
  const builtin = new Set(builtinText.split('\n').filter(Boolean).map(moduleName));
  return { dir, files, builtin };
}

/** A module to load, in order: its name and its file. */
export interface ResolvedModule {
  name: string;
  file: string;
}

/**
 * The modules to load for `wanted`, dependencies first, read from `tree`. Fails, naming the
 * module, when one is missing or compressed (bookworm ships plain `.ko`; busybox insmod here
 * loads nothing else).
 */
export async function resolveModules(tree: ModuleTree, wanted: readonly string[]): Promise<ResolvedModule[]> {
  const depends = new Map<string, string[] | null>();
  const pending = [...wanted.map(moduleName)];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (depends.has(name)) continue;
    const file = tree.files.get(name);
    if (!file) {
      if (!tree.builtin.has(name)) {
        throw new AetherError(
          'ERR_IMAGE_BUILD_FAILED',
          `kernel module ${name} is neither in ${tree.dir}/kernel nor built in (modules.builtin)`,
          { details: { module: name } },
        );
      }
      depends.set(name, null);
      continue;
    }
    if (!file.endsWith('.ko')) {
      throw new AetherError(
        'ERR_IMAGE_BUILD_FAILED',
        `kernel module ${name} is compressed (${path.basename(file)}); the initramfs loads plain .ko ` +
          'files only (Debian bookworm kernels ship them)',
        { details: { module: name, file } },
      );
    }
    const deps = moduleDepends(await readFile(file));
    depends.set(name, deps);
    pending.push(...deps);
  }
  const order = orderModules(wanted, (name) => depends.get(name) ?? null);
  return order.map((name) => ({ name, file: tree.files.get(name)! }));
}
