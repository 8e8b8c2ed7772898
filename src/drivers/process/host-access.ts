/**
 * When the host runs as root, the sandbox runs as another uid, which must be able to walk to its
 * own mounts (the VM directory, the node binary, the agent bundle). Checked up front so a host
 * misconfiguration is reported as what it is, not as a cryptic mount error during boot; and where
 * the files given sit in a private directory (a data dir or a checkout under /root or in a
 * mkdtemp directory), the caller puts them where the sandbox can reach them instead (see
 * `hiddenFromOthers`, `copyAgentBundle`), rather than loosening the user's own directories.
 */
import { chmodSync, copyFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AetherError } from '../../core/errors.js';
import type { ResolvedProcessSettings } from './settings.js';

type Ids = { uid: number; gid: number };

function allows(info: { mode: number; uid: number; gid: number }, ids: Ids, bit: 4 | 1): boolean {
  return (
    (info.mode & bit) !== 0 ||
    (info.uid === ids.uid && (info.mode & (bit << 6)) !== 0) ||
    (info.gid === ids.gid && (info.mode & (bit << 3)) !== 0)
  );
}

/** The first directory `ids` cannot search on the way to `path`, or null when it can get there. */
async function blockedAncestor(path: string, ids: Ids): Promise<string | null> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (!allows(await stat(dir), ids, 1)) return dir;
    if (dir === dirname(dir)) return null;
  }
}

/**
 * Checks the node binary and agent exist, creates `<stateDir>/vms` and, for a root host, makes sure the sandbox uid can reach it and read
 * the node binary and the agent: adds the search bit on directories of the state dir we own, and
 * says exactly what to fix elsewhere.
 */
export async function prepareStateDir(s: ResolvedProcessSettings): Promise<void> {
  for (const [name, file, hint] of [
    ['nodePath', s.nodePath, ''],
    ['agentPath', s.agentPath, '; build it with `npm run build:agent`'],
  ] as const) {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile())
      throw new AetherError('ERR_CONFIG', `process driver: ${name} ${file} is not a file${hint}`);
  }
  const vms = join(s.stateDir, 'vms');
  await mkdir(vms, { recursive: true, mode: 0o711 });
  const ids = s.sandboxIds;
  if (!ids) return;
  for (const dir of [s.stateDir, vms]) {
    const info = await stat(dir);
    if (!allows(info, ids, 1) && info.uid === process.getuid?.())
      await chmod(dir, (info.mode & 0o7777) | 0o001);
  }
  const blocked = await blockedAncestor(join(vms, 'x'), ids);
  if (blocked) {
    throw new AetherError(
      'ERR_CONFIG',
      `process driver: sandbox uid ${ids.uid} cannot reach ${blocked}; run chmod o+x ${blocked} or choose another stateDir`,
    );
  }
  for (const [name, file] of [
    ['nodePath', s.nodePath],
    ['agentPath', s.agentPath],
  ] as const) {
    const where = await blockedAncestor(file, ids);
    const readable = allows(await stat(file), ids, 4);
    if (where || !readable) {
      throw new AetherError(
        'ERR_CONFIG',
        `process driver: sandbox uid ${ids.uid} cannot read ${name} ${file}` +
          (where ? ` (${where} is not searchable)` : ' (no read permission)') +
          '; put it where any user can read it',
      );
    }
  }
}

/** Where a root host keeps the files of its sandboxes when the places it was given are private. */
export const ROOT_SANDBOX_BASE = '/var/lib/aether';

/**
 * True when a user other than this one may not get to `target`: an ancestor directory lacks o+x,
 * or, with `read`, the file lacks o+r. A part that does not exist yet is left to its parent.
 */
export function hiddenFromOthers(target: string, options: { read: boolean }): boolean {
  if (options.read) {
    const mode = statSync(target, { throwIfNoEntry: false })?.mode;
    if (mode !== undefined && (mode & 0o004) === 0) return true;
  }
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    const mode = statSync(dir, { throwIfNoEntry: false })?.mode;
    if (mode !== undefined && (mode & 0o001) === 0) return true;
    if (dir === dirname(dir)) return false;
  }
}

/**
 * Copies the agent bundle to `<dir>/agent.mjs` (ESM wherever it lies, with no package.json near),
 * readable by every user, and makes `dir` (created if missing) searchable by them. Written then
 * renamed: a sandbox booting meanwhile binds the old file or the new one, never half of one.
 */
export function copyAgentBundle(agentPath: string, dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  chmodSync(dir, (statSync(dir).mode & 0o7777) | 0o711);
  const target = join(dir, 'agent.mjs');
  const partial = `${target}.${process.pid}.partial`;
  copyFileSync(agentPath, partial);
  chmodSync(partial, 0o644);
  renameSync(partial, target);
  return target;
}
