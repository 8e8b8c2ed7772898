import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AetherError } from '../core/errors.js';
import {
  assertKernelConfig,
  compareKernelConfig,
  DRIVER_FORBIDDEN_OPTIONS,
  DRIVER_REQUIRED_OPTIONS,
  parseKernelConfig,
  readConfigFragment,
} from './kernel-build-config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aether-kconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the committed Firecracker kernel fragment', () => {
  it('builds in every option the Firecracker driver and the guest image depend on', async () => {
    const { config } = await readConfigFragment();
    const notBuiltIn = DRIVER_REQUIRED_OPTIONS.filter((name) => config.values.get(name) !== 'y');
    expect(notBuiltIn).toEqual([]);
  });

  it('switches modules off', async () => {
    const { config } = await readConfigFragment();
    for (const name of DRIVER_FORBIDDEN_OPTIONS) {
      expect(config.unset.has(name)).toBe(true);
      expect(config.values.has(name)).toBe(false);
    }
  });

  it('sets nothing twice and nothing as a module', async () => {
    const { text } = await readConfigFragment();
    const names = text
      .split('\n')
      .map((line) => /^(?:# )?(CONFIG_\w+)(?:=| is not set)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(new Set(names).size).toBe(names.length);
    expect(text).not.toMatch(/^CONFIG_\w+=m$/m);
  });

  it('hashes the fragment bytes, so any edit is a new kernel', async () => {
    const fragment = await readConfigFragment();
    const copy = path.join(dir, 'copy.config');
    writeFileSync(copy, fragment.text);
    expect((await readConfigFragment(copy)).sha256).toBe(fragment.sha256);
    writeFileSync(copy, `${fragment.text}CONFIG_PRINTK_TIME=y\n`);
    expect((await readConfigFragment(copy)).sha256).not.toBe(fragment.sha256);
  });
});

describe('kernel .config checks', () => {
  const wanted = parseKernelConfig(
    ['# comment', 'CONFIG_VIRTIO_MMIO=y', 'CONFIG_VIRTIO_VSOCKETS=y', '# CONFIG_MODULES is not set', ''].join(
      '\n',
    ),
  );

  it('parses set, string, numeric and unset options', () => {
    const parsed = parseKernelConfig(
      'CONFIG_A=y\nCONFIG_B=m\nCONFIG_C="text"\nCONFIG_D=64\n# CONFIG_E is not set\n# just a comment\n',
    );
    expect(Object.fromEntries(parsed.values)).toEqual({
      CONFIG_A: 'y',
      CONFIG_B: 'm',
      CONFIG_C: '"text"',
      CONFIG_D: '64',
    });
    expect([...parsed.unset]).toEqual(['CONFIG_E']);
  });

  it('accepts a .config that keeps everything', () => {
    const actual = parseKernelConfig(
      'CONFIG_VIRTIO_MMIO=y\nCONFIG_VIRTIO_VSOCKETS=y\n# CONFIG_MODULES is not set\n',
    );
    expect(compareKernelConfig(wanted, actual)).toEqual({ missing: [], unwanted: [] });
    expect(() => assertKernelConfig(wanted, actual, 'linux-source-6.1 6.1.1-1')).not.toThrow();
  });

  it('names an option the kernel dropped, built as a module, or never heard of', () => {
    const actual = parseKernelConfig('CONFIG_VIRTIO_MMIO=m\nCONFIG_MODULES=y\n');
    expect(compareKernelConfig(wanted, actual)).toEqual({
      missing: ['CONFIG_VIRTIO_MMIO', 'CONFIG_VIRTIO_VSOCKETS'],
      unwanted: ['CONFIG_MODULES'],
    });
    let error: unknown;
    try {
      assertKernelConfig(wanted, actual, 'linux-source-6.1 6.1.1-1');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AetherError);
    expect((error as AetherError).code).toBe('ERR_KERNEL_CONFIG');
    expect((error as AetherError).message).toContain(
      'not built in: CONFIG_VIRTIO_MMIO, CONFIG_VIRTIO_VSOCKETS; set but must be off: CONFIG_MODULES',
    );
    expect((error as AetherError).message).toContain('linux-source-6.1 6.1.1-1');
  });
});
