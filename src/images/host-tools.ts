/**
 * The host programs a build runs, found before anything starts so that a missing one is one
 * line naming the Debian package to install, not a spawn ENOENT half way through.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { AetherError } from '../core/errors.js';

/** Each tool and the Debian package that ships it. */
export const BUILD_TOOLS = { debootstrap: 'debootstrap', tar: 'tar' } as const;

export type BuildTool = keyof typeof BUILD_TOOLS;

/** What `aether image build --vm` runs on top of the rootfs build, and the packages shipping them. */
export const VM_BUILD_TOOLS = {
  'apt-get': 'apt',
  'apt-cache': 'apt',
  'dpkg-deb': 'dpkg',
  mke2fs: 'e2fsprogs',
  tar: 'tar',
  xz: 'xz-utils',
} as const;

export type VmBuildTool = keyof typeof VM_BUILD_TOOLS;

/**
 * Searched after PATH: debootstrap lives in /usr/sbin, which a non-root user's PATH (or `sudo`
 * with a trimmed environment) often lacks.
 */
export const SBIN_DIRS: readonly string[] = ['/usr/sbin', '/sbin'];

export interface HostToolOptions {
  /** The PATH to search, as in the environment. */
  path: string | undefined;
  /** Searched after `path`; default SBIN_DIRS. */
  extraDirs?: readonly string[];
  /** The effective uid; default this process's. */
  uid?: number | undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The search directories: PATH's entries, then the extra ones, each once, absolute only. */
export function searchDirs(options: HostToolOptions): string[] {
  const fromPath = (options.path ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir));
  return [...new Set([...fromPath, ...(options.extraDirs ?? SBIN_DIRS)])];
}

/** The absolute path of `name`, or null when no search directory has it. */
export function findTool(name: string, options: HostToolOptions): string | null {
  for (const dir of searchDirs(options)) {
    const file = path.join(dir, name);
    if (isExecutableFile(file)) return file;
  }
  return null;
}

export function toolMissingError(tool: string, pkg: string = tool): AetherError {
  return new AetherError(
    'ERR_HOST_TOOL_MISSING',
    `${tool} not found on PATH: install it with \`apt-get install ${pkg}\``,
    { details: { tool, package: pkg } },
  );
}

/** The absolute path of every tool in `tools` (tool → package), or ERR_HOST_TOOL_MISSING for the first missing. */
function findTools<T extends string>(tools: Record<T, string>, options: HostToolOptions): Record<T, string> {
  const found = {} as Record<T, string>;
  for (const tool of Object.keys(tools) as T[]) {
    const file = findTool(tool, options);
    if (!file) throw toolMissingError(tool, tools[tool]);
    found[tool] = file;
  }
  return found;
}

function requireRoot(options: HostToolOptions, who: string, why = ''): void {
  const uid = options.uid ?? process.geteuid?.();
  if (uid !== 0) {
    throw new AetherError(
      'ERR_HOST_TOOL_MISSING',
      `${who} needs root (running as uid ${uid ?? 'unknown'})${why}: run the build as root, e.g. with sudo`,
      { details: { tool: who, uid } },
    );
  }
}

/**
 * The absolute paths of every build tool; throws ERR_HOST_TOOL_MISSING for the first one
 * missing, or when not running as root (debootstrap chroots and creates device nodes).
 */
export function checkBuildHost(options: HostToolOptions): Record<BuildTool, string> {
  const found = findTools(BUILD_TOOLS, options);
  requireRoot(options, 'debootstrap');
  return found;
}

/**
 * As checkBuildHost, for the microVM files: root is needed to unpack the rootfs with its
 * owners and device nodes, which mke2fs copies into the ext4 image as they are.
 */
export function checkVmBuildHost(options: HostToolOptions): Record<VmBuildTool, string> {
  const found = findTools(VM_BUILD_TOOLS, options);
  requireRoot(options, 'the microVM image build', ' to unpack the rootfs with its owners and device nodes');
  return found;
}
