/**
 * Removing a build directory safely. debootstrap mounts /proc, /sys and sometimes /dev inside
 * its target and unmounts them when it exits; if it was killed first they stay mounted, and a
 * recursive delete would walk into the host's /dev or /sys. So: unmount whatever is still
 * mounted under the directory, check again, and only then delete.
 */
import { readFileSync } from 'node:fs';
import { realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CommandRunner } from './command-runner.js';
import { findTool } from './host-tools.js';

/** `\040`-style escapes in /proc mount tables, decoded. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Mount points at or below `dir` in a /proc/<pid>/mountinfo text, deepest first. */
export function mountPointsUnder(dir: string, mountinfo: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    .map(unescapeMountPath)
    .filter((point) => point === dir || point.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function currentMountsUnder(dir: string): string[] {
  try {
    return mountPointsUnder(dir, readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return [];
  }
}

export interface UnmountOptions {
  runner: CommandRunner;
  env: NodeJS.ProcessEnv;
}

/**
 * Detaches (`umount --lazy`) every mount at or below `dir`; throws when one is left, naming it.
 * Resolves to how many were detached.
 */
export async function unmountUnder(dir: string, options: UnmountOptions): Promise<number> {
  const real = await realpath(dir).catch(() => path.resolve(dir));
  const points = currentMountsUnder(real);
  if (points.length === 0) return 0;
  const umount = findTool('umount', { path: options.env.PATH, extraDirs: ['/usr/bin', '/bin'] });
  for (const point of points) {
    if (umount) await options.runner.run(umount, ['--lazy', point], { env: options.env });
  }
  const left = currentMountsUnder(real);
  if (left.length > 0) {
    throw new Error(`${left.join(', ')} ${left.length === 1 ? 'is' : 'are'} still mounted; unmount by hand`);
  }
  return points.length;
}

/** Unmounts what is left under `dir`, then deletes it. Never deletes through a mount point. */
export async function removeBuildDir(dir: string, options: UnmountOptions): Promise<void> {
  await unmountUnder(dir, options);
  await rm(dir, { recursive: true, force: true });
}
