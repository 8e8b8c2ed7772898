/**
 * Small pieces every VMM driver's per-VM directory needs: socket paths that fit, and JSON
 * records that read as "absent" rather than throwing when a crash left them missing or torn.
 */
import { readFile } from 'node:fs/promises';
import { AetherError } from '../../core/errors.js';

/** sun_path holds 108 bytes with its terminating NUL. */
export const MAX_SOCKET_PATH = 107;

/** Refuses a state dir whose sockets would not fit in a Unix socket address. */
export function assertSocketPathFits(driver: string, stateDir: string, longestSocket: string): void {
  if (Buffer.byteLength(longestSocket) > MAX_SOCKET_PATH) {
    throw new AetherError(
      'ERR_CONFIG',
      `${driver} driver: state dir ${stateDir} is too long for Unix socket paths (${MAX_SOCKET_PATH} bytes); use a shorter data dir`,
    );
  }
}

/** The parsed file, or null when it is missing or not JSON. */
export async function readJsonFile<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}
