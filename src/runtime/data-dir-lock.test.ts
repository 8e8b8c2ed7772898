import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUse, lockDataDir } from './data-dir-lock.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'aether-lock-'));
  return dir;
};

describe('one process per embedded data dir', () => {
  it('refuses a second holder, names the one that has it, and lets go on release', () => {
    const release = lockDataDir(fresh());
    expect(readFileSync(path.join(dir, 'aether.lock'), 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
    release();
    release();
    expect(existsSync(path.join(dir, 'aether.lock'))).toBe(false);
    lockDataDir(dir)();
  });

  it('refuses while another live process holds it, and takes it over once that process is gone', async () => {
    fresh();
    const other = spawn('sleep', ['30']);
    await new Promise((resolve) => other.once('spawn', resolve));
    writeFileSync(path.join(dir, 'aether.lock'), `${other.pid}\n`);
    try {
      expect(() => lockDataDir(dir)).toThrow(expect.objectContaining({ pid: other.pid }));
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    const release = lockDataDir(dir);
    expect(readFileSync(path.join(dir, 'aether.lock'), 'utf8').trim()).toBe(String(process.pid));
    release();
  });

  it('takes over a lock that names no process', () => {
    writeFileSync(path.join(fresh(), 'aether.lock'), 'garbage');
    lockDataDir(dir)();
  });
});
