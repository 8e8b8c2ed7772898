/**
 * What building a guest kernel needs on the host, checked before anything is downloaded: every
 * program and header at once, so a bare host learns in one line the one `apt-get install` that
 * makes it ready, instead of failing at the first missing tool ten minutes into the compile.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { AetherError } from '../core/errors.js';
import { findTool, type HostToolOptions } from './host-tools.js';

/** Each program the kernel build runs (directly or through the kernel's Makefiles) and its Debian package. */
export const KERNEL_BUILD_TOOLS = {
  'apt-get': 'apt',
  'apt-cache': 'apt',
  'dpkg-deb': 'dpkg',
  tar: 'tar',
  xz: 'xz-utils',
  make: 'make',
  gcc: 'gcc',
  ld: 'binutils',
  flex: 'flex',
  bison: 'bison',
  bc: 'bc',
  perl: 'perl',
} as const;

export type KernelBuildTool = keyof typeof KERNEL_BUILD_TOOLS;

/**
 * Headers the kernel's host programs include: objtool (x86_64 always builds it) needs libelf;
 * the certificate tools in certs/ and scripts/ need OpenSSL.
 */
export const KERNEL_BUILD_HEADERS = {
  'libelf.h': 'libelf-dev',
  'openssl/opensslv.h': 'libssl-dev',
} as const;

/** Where gcc looks for host headers on Debian. */
export const HOST_INCLUDE_DIRS: readonly string[] = ['/usr/include', '/usr/include/x86_64-linux-gnu'];

export interface KernelBuildHostOptions extends HostToolOptions {
  /** Searched for the headers; default HOST_INCLUDE_DIRS. */
  includeDirs?: readonly string[];
}

function hasHeader(name: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.R_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The Debian packages that would provide what is missing, each once, in a stable order. */
export function missingKernelBuildPackages(options: KernelBuildHostOptions): {
  tools: string[];
  headers: string[];
  packages: string[];
} {
  const tools = (Object.keys(KERNEL_BUILD_TOOLS) as KernelBuildTool[]).filter(
    (tool) => findTool(tool, options) === null,
  );
  const includeDirs = options.includeDirs ?? HOST_INCLUDE_DIRS;
  const headers = (Object.keys(KERNEL_BUILD_HEADERS) as (keyof typeof KERNEL_BUILD_HEADERS)[]).filter(
    (header) => !hasHeader(header, includeDirs),
  );
  const packages = [
    ...new Set([
      ...tools.map((tool) => KERNEL_BUILD_TOOLS[tool]),
      ...headers.map((header) => KERNEL_BUILD_HEADERS[header as keyof typeof KERNEL_BUILD_HEADERS]),
    ]),
  ];
  return { tools, headers, packages };
}

/**
 * The absolute path of every kernel build tool; throws one ERR_HOST_TOOL_MISSING listing
 * everything missing and the `apt-get install` line that provides it.
 */
export function checkKernelBuildHost(options: KernelBuildHostOptions): Record<KernelBuildTool, string> {
  const { tools, headers, packages } = missingKernelBuildPackages(options);
  if (packages.length > 0) {
    const what = [...tools, ...headers.map((header) => `<${header}>`)].join(', ');
    throw new AetherError(
      'ERR_HOST_TOOL_MISSING',
      `building the guest kernel needs ${what}: install with \`apt-get install ${packages.join(' ')}\``,
      { details: { tools, headers, packages } },
    );
  }
  const found = {} as Record<KernelBuildTool, string>;
  for (const tool of Object.keys(KERNEL_BUILD_TOOLS) as KernelBuildTool[]) {
    // Checked just above; a tool removed in between fails at spawn, which names it too.
    found[tool] = findTool(tool, options) ?? tool;
  }
  return found;
}
