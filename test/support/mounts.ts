/**
 * Cleanup of what a process-driver node leaves mounted when it dies without deleting its VMs
 * (kill -9 in fault and restart tests): each VM's home volume is a loop mount inside the data
 * dir, and removing the dir through it would empty the volume, then fail on the mount point.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return [];
  }
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) =>
      (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, octal: string) =>
        String.fromCharCode(Number.parseInt(octal, 8)),
      ),
    )
    .filter((point) => point === root || point.startsWith(`${root}${path.sep}`))
    .sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything mounted at or under `dir` (best effort), so it can be removed. */
export function unmountUnder(dir: string): number {
  const points = mountsUnder(dir);
  for (const point of points) {
    try {
      execFileSync('umount', ['-l', point], { stdio: 'ignore' });
    } catch {
      // gone meanwhile, or not ours to unmount: the removal says what is left
    }
  }
  return points.length;
}
