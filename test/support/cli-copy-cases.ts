/**
 * What `aether cp` must do on any driver and any deployment, as checks a test calls with its own
 * way of running the CLI: a tree survives the round trip byte for byte, and a VM's symlinks
 * never hand out the host's files.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { makeTree, manifest, type TreeOptions } from './file-tree.js';
import type { CliResult } from './run-cli.js';

/** Runs `aether ARGS` against the gateway under test. */
export type AetherCli = (...args: string[]) => Promise<CliResult>;

export interface RoundTripOptions extends TreeOptions {
  /** Where the tree goes in the VM (relative to its home); fresh per call. */
  remoteDir: string;
}

/**
 * Copies a new tree from `scratch` into `vm` and back to a path that does not exist yet, and
 * expects the copy to list exactly as the original: modes, link targets and content hashes.
 */
export async function expectTreeRoundTrip(
  aether: AetherCli,
  vm: string,
  scratch: string,
  options: RoundTripOptions,
): Promise<void> {
  const local = mkdtempSync(path.join(scratch, 'tree-'));
  const tree = path.join(local, 'tree');
  makeTree(tree, options);
  const up = await aether('cp', tree, `${vm}:${options.remoteDir}`);
  expect(up.code, up.stderr).toBe(0);

  // The VM itself sees links as links and the modes as sent, not only the copy that comes back.
  const link = await aether('fs', 'stat', vm, `${options.remoteDir}/link`, '--json');
  expect(link.code, link.stderr).toBe(0);
  expect(JSON.parse(link.stdout)).toMatchObject({ type: 'symlink', target: 'nested/deeper/deep.bin' });
  const secret = await aether('fs', 'stat', vm, `${options.remoteDir}/secret`, '--json');
  expect(JSON.parse(secret.stdout)).toMatchObject({ type: 'file', size: 8, mode: 0o600 });

  const back = path.join(local, 'back');
  const down = await aether('cp', `${vm}:${options.remoteDir}`, back);
  expect(down.code, down.stderr).toBe(0);
  expect(manifest(back)).toEqual(manifest(tree));
}

export interface EscapeOptions {
  /**
   * The VM's commands run as root on their own kernel and disk (qemu): its own /etc/shadow is
   * theirs to read, so the copy succeeds, and must be that file, not the host's.
   */
  guestRootOwnsShadow?: boolean;
}

/**
 * A VM links to `/` and to a host file, world-readable in a world-traversable directory, by
 * its host path. Copying through the link to `/` gives the VM's own /etc/shadow or fails;
 * copying through the other fails. Either way no file here ends up with the host's bytes.
 */
export async function expectNoSymlinkEscape(
  aether: AetherCli,
  vm: string,
  scratch: string,
  options: EscapeOptions = {},
): Promise<void> {
  const rootLink = 'escape';
  expect((await aether('exec', vm, '--', 'ln', '-s', '/', rootLink)).code).toBe(0);
  const shadowCopy = path.join(scratch, 'shadow-copy');
  const shadow = await aether('cp', `${vm}:${rootLink}/etc/shadow`, shadowCopy);
  if (options.guestRootOwnsShadow) {
    expect(shadow.code, shadow.stderr).toBe(0);
    const guestShadow = await aether('exec', vm, '--', 'cat', '/etc/shadow');
    expect(guestShadow.code, guestShadow.stderr).toBe(0);
    expect(readFileSync(shadowCopy, 'utf8')).toBe(guestShadow.stdout);
    if (existsSync('/etc/shadow')) {
      expect(readFileSync(shadowCopy)).not.toEqual(readFileSync('/etc/shadow'));
    }
  } else {
    expect(shadow.code, `copied ${vm}:${rootLink}/etc/shadow`).not.toBe(0);
    expect(shadow.stderr).toMatch(/^aether: ERR_/);
    expect(existsSync(shadowCopy)).toBe(false);
  }

  const secretDir = mkdtempSync(path.join(os.tmpdir(), 'aether-host-secret-'));
  const secretFile = path.join(secretDir, 'secret.txt');
  const secret = `host secret ${randomBytes(16).toString('hex')}`;
  writeFileSync(secretFile, secret, { mode: 0o644 });
  chmodSync(secretDir, 0o755);
  try {
    const hostLink = 'host-link';
    expect((await aether('exec', vm, '--', 'ln', '-s', secretFile, hostLink)).code).toBe(0);
    const copy = path.join(scratch, 'host-copy');
    const toFile = await aether('cp', `${vm}:${hostLink}`, copy);
    expect(toFile.code, `copied ${vm}:${hostLink}`).not.toBe(0);
    expect(toFile.stderr).toMatch(/^aether: ERR_/);
    if (existsSync(copy)) expect(readFileSync(copy, 'utf8')).not.toContain(secret);
    expect(existsSync(copy)).toBe(false);
    const toStdout = await aether('cp', `${vm}:${hostLink}`, '-');
    expect(toStdout.code).not.toBe(0);
    expect(toStdout.stdout).not.toContain(secret);
  } finally {
    rmSync(secretDir, { recursive: true, force: true });
  }
}
