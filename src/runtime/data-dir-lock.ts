/**
 * One process per embedded database. PGlite takes no lock on its directory, and two processes
 * writing one data dir corrupt it; so `aether up` (and `aether migrate` on an embedded store)
 * holds `<dir>/aether.lock`, a file made with O_EXCL that names its process. A lock whose process
 * is gone (kill -9, a crash) is taken over; the holder removes it when it closes the database
 * or exits.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Why the lock could not be had: another live process holds it. */
export class DataDirInUse extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(`process ${pid} holds ${lockFile}`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock of `dir` for this process; returns its release (idempotent). */
export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, 'aether.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = holderOf(file);
      // This very process holds it too: a second node on one data dir is refused alike.
      if (holder !== null && isAlive(holder)) throw new DataDirInUse(file, holder);
      rmSync(file, { force: true });
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (holderOf(file) === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', release);
  return release;
}
