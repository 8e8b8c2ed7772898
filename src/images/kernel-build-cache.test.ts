import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE } from './image-cache.js';
import {
  findCachedKernel,
  KERNEL_BUILDER_VERSION,
  KERNEL_FILE,
  type KernelBuildInputs,
  type KernelManifest,
  kernelBuildId,
  kernelsDir,
} from './kernel-build-cache.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'aether-kcache-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const inputs: KernelBuildInputs = {
  sourcePackage: 'linux-source-6.1',
  sourceVersion: '6.1.192-3',
  fragmentSha256: 'a'.repeat(64),
};

function install(hex: string, manifest: Partial<KernelManifest> = {}, bytes = 'ELF'): string {
  const dir = path.join(kernelsDir(dataDir), hex);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, KERNEL_FILE), bytes);
  const full: KernelManifest = {
    kind: 'kernel',
    id: `sha256:${hex}`,
    ...inputs,
    release: '6.1.192',
    sizeBytes: bytes.length,
    createdAt: new Date(0).toISOString(),
    builderVersion: KERNEL_BUILDER_VERSION,
    ...manifest,
  };
  writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(full));
  return dir;
}

describe('guest kernel cache key', () => {
  it('is the same for the same source version and fragment', () => {
    expect(kernelBuildId(inputs)).toEqual(kernelBuildId({ ...inputs }));
    expect(kernelBuildId(inputs).id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(kernelBuildId(inputs).short).toBe(kernelBuildId(inputs).hex.slice(0, 12));
  });

  it('changes with the source version, the source package, the fragment and the builder', () => {
    const base = kernelBuildId(inputs).hex;
    const others = [
      kernelBuildId({ ...inputs, sourceVersion: '6.1.192-4' }).hex,
      kernelBuildId({ ...inputs, sourcePackage: 'linux-source-6.12' }).hex,
      kernelBuildId({ ...inputs, fragmentSha256: 'b'.repeat(64) }).hex,
      kernelBuildId(inputs, KERNEL_BUILDER_VERSION + 1).hex,
    ];
    expect(new Set([base, ...others]).size).toBe(5);
  });
});

describe('guest kernel cache entries', () => {
  it('finds a whole entry under its hash', async () => {
    const { hex } = kernelBuildId(inputs);
    const dir = install(hex);
    const found = await findCachedKernel(dataDir, hex);
    expect(found?.vmlinux).toBe(path.join(dir, KERNEL_FILE));
    expect(found?.manifest.sourceVersion).toBe('6.1.192-3');
  });

  it('ignores a missing, mismatched or truncated entry', async () => {
    const other = kernelBuildId({ ...inputs, sourceVersion: '1' }).hex;
    expect(await findCachedKernel(dataDir, other)).toBeNull();
    const wrongId = kernelBuildId({ ...inputs, sourceVersion: '2' }).hex;
    install(wrongId, { id: `sha256:${'c'.repeat(64)}` });
    expect(await findCachedKernel(dataDir, wrongId)).toBeNull();
    const truncated = kernelBuildId({ ...inputs, sourceVersion: '3' }).hex;
    install(truncated, { sizeBytes: 1000 });
    expect(await findCachedKernel(dataDir, truncated)).toBeNull();
    const oldBuilder = kernelBuildId({ ...inputs, sourceVersion: '4' }).hex;
    install(oldBuilder, { builderVersion: KERNEL_BUILDER_VERSION - 1 });
    expect(await findCachedKernel(dataDir, oldBuilder)).toBeNull();
  });
});
