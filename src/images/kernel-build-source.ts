/**
 * Which kernel source to build: the versioned package Debian's `linux-source` metapackage
 * depends on (e.g. linux-source-6.1) and apt's candidate version of it. The .deb carries one
 * tarball, `/usr/src/<package>.tar.xz`, whose top directory is `<package>/`.
 */
import { AetherError } from '../core/errors.js';
import { type AptCacheQuery, parseAptPolicy } from './apt-packages.js';

export const KERNEL_SOURCE_METAPACKAGE = 'linux-source';

export interface KernelSource {
  /** e.g. linux-source-6.1 */
  package: string;
  /** e.g. 6.1.192-3 */
  version: string;
}

/** The versioned source package in `apt-cache depends linux-source` output, or null. */
export function parseSourceDependency(text: string): string | null {
  return /^\s*Depends:\s*(linux-source-\d[^\s<>]*)\s*$/m.exec(text)?.[1] ?? null;
}

/** Package names as Debian allows them: they end up on apt-get's and tar's command lines. */
const PACKAGE_NAME = /^linux-source-[0-9][a-z0-9.+-]*$/;
const PACKAGE_VERSION = /^[0-9][A-Za-z0-9.+~:-]*$/;

/** Asks apt for the kernel source package and its candidate version. */
export async function resolveKernelSource(aptCache: AptCacheQuery): Promise<KernelSource> {
  const depends = await aptCache(['depends', KERNEL_SOURCE_METAPACKAGE]);
  const pkg = parseSourceDependency(depends);
  if (!pkg || !PACKAGE_NAME.test(pkg)) {
    throw new AetherError(
      'ERR_IMAGE_BUILD_FAILED',
      `apt knows no kernel source for ${KERNEL_SOURCE_METAPACKAGE}: is this a Debian host with its lists current? (\`apt-get update\`)`,
      { details: { output: depends.split('\n').slice(-20) } },
    );
  }
  const version = parseAptPolicy(await aptCache(['policy', pkg])).get(pkg);
  if (!version || !PACKAGE_VERSION.test(version)) {
    throw new AetherError(
      'ERR_IMAGE_BUILD_FAILED',
      `apt has no installable version of ${pkg}: run \`apt-get update\``,
      { details: { package: pkg } },
    );
  }
  return { package: pkg, version };
}

/** Where the source tarball is inside the unpacked .deb. */
export function sourceTarballPath(source: KernelSource): string {
  return `usr/src/${source.package}.tar.xz`;
}
