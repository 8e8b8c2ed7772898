/** Finding a program the way execvp would, without a shell. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { AetherError } from '../../core/errors.js';

/** The search path the driver's processes get (nothing of our own environment leaks into them). */
export const VMM_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin';

/**
 * The absolute path of `name`: as given when it holds a `/`, else the first executable file of
 * that name on `searchPath`; null when there is none.
 */
export function findExecutable(name: string, searchPath: string = VMM_PATH): string | null {
  const candidates = name.includes('/')
    ? [isAbsolute(name) ? name : resolve(name)]
    : searchPath
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** `findExecutable`, or ERR_ISOLATION_UNAVAILABLE naming the setting that points at it. */
export function requireExecutable(name: string, setting: string): string {
  const found = findExecutable(name);
  if (!found) {
    throw new AetherError(
      'ERR_ISOLATION_UNAVAILABLE',
      `${name} not found: install the Firecracker release binaries, or set ${setting} (see \`aether doctor\`)`,
      { details: { binary: name } },
    );
  }
  return found;
}
