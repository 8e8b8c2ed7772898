import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import {
  checkKernelBuildHost,
  KERNEL_BUILD_HEADERS,
  KERNEL_BUILD_TOOLS,
  missingKernelBuildPackages,
} from './kernel-build-tools.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aether-ktools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bin directory with `tools` as executables and an include directory with `headers`. */
function fakeHost(name: string, tools: readonly string[], headers: readonly string[]) {
  const bin = path.join(dir, name, 'bin');
  const include = path.join(dir, name, 'include');
  mkdirSync(bin, { recursive: true });
  mkdirSync(include, { recursive: true });
  for (const tool of tools) {
    writeFileSync(path.join(bin, tool), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(bin, tool), 0o755);
  }
  for (const header of headers) {
    mkdirSync(path.dirname(path.join(include, header)), { recursive: true });
    writeFileSync(path.join(include, header), '');
  }
  return { path: bin, extraDirs: [], includeDirs: [include] };
}

const allTools = Object.keys(KERNEL_BUILD_TOOLS);
const allHeaders = Object.keys(KERNEL_BUILD_HEADERS);

describe('kernel build host check', () => {
  it('finds every tool on a ready host', () => {
    const host = fakeHost('ready', allTools, allHeaders);
    const found = checkKernelBuildHost(host);
    expect(found.make).toBe(path.join(host.path, 'make'));
    expect(found.flex).toBe(path.join(host.path, 'flex'));
    expect(Object.keys(found).sort()).toEqual([...allTools].sort());
  });

  it('names everything missing in one error, with one apt-get install line', () => {
    const host = fakeHost(
      'bare',
      allTools.filter((tool) => !['flex', 'bison', 'apt-cache', 'apt-get'].includes(tool)),
      ['openssl/opensslv.h'],
    );
    let error: unknown;
    try {
      checkKernelBuildHost(host);
    } catch (caught) {
      error = caught;
    }
    if (!isAetherError(error)) throw new Error('expected an AetherError');
    expect(error.code).toBe('ERR_HOST_TOOL_MISSING');
    expect(error.message).toBe(
      'building the guest kernel needs apt-get, apt-cache, flex, bison, <libelf.h>: ' +
        'install with `apt-get install apt flex bison libelf-dev`',
    );
    expect(error.details).toEqual({
      tools: ['apt-get', 'apt-cache', 'flex', 'bison'],
      headers: ['libelf.h'],
      packages: ['apt', 'flex', 'bison', 'libelf-dev'],
    });
  });

  it('lists every package on an empty host', () => {
    const { packages } = missingKernelBuildPackages({ path: '', extraDirs: [], includeDirs: [] });
    expect(packages).toEqual([
      'apt',
      'dpkg',
      'tar',
      'xz-utils',
      'make',
      'gcc',
      'binutils',
      'flex',
      'bison',
      'bc',
      'perl',
      'libelf-dev',
      'libssl-dev',
    ]);
  });
});
