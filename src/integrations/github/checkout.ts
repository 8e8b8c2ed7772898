import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AetherError } from '../../core/errors.js';
import { tarInput, tarOutput } from './host-tar.js';

/** Longest a clone, a commit or a push may take on the host. */
const GIT_TIMEOUT_MS = 5 * 60_000;
const MAX_BUFFER = 512 * 1024 * 1024;

/**
 * Default bound on the tree read back from a VM (the archive, its `.git` included): the guest
 * decides its size, and the host's disk must not be its to fill. GitHub refuses pushes past
 * 2 GiB anyway.
 */
export const MAX_CHANGES_BYTES = 4 * 1024 ** 3;

/**
 * The environment of git and tar on the host. The token reaches git through environment config
 * (GIT_CONFIG_COUNT/KEY/VALUE), so it is in no argv (`ps`), no URL and no `.git/config`; git's
 * own messages never print extra headers.
 */
function hostEnv(token?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: os.tmpdir(),
    LANG: 'C',
    // No system or user config, no prompts: the host's git settings do not leak in.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Aetherium',
    GIT_AUTHOR_EMAIL: 'aetherium@users.noreply.github.com',
    GIT_COMMITTER_NAME: 'Aetherium',
    GIT_COMMITTER_EMAIL: 'aetherium@users.noreply.github.com',
  };
  const config: [string, string][] = [['core.hooksPath', '/dev/null']];
  if (token) {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
  }
  env.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

function hostToolFailed(what: string, stderr: string, fallback: string): AetherError {
  const said = stderr.trim().split('\n').slice(-3).join(' / ');
  return new AetherError('ERR_INTEGRATION_FAILED', `${what} failed: ${said || fallback}`, {
    details: { integration: 'github' },
  });
}

/** Runs git on the host: an argv array, never a shell. */
function git(args: string[], options: { cwd?: string; token?: string } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: hostEnv(options.token),
        encoding: 'buffer',
        maxBuffer: MAX_BUFFER,
        timeout: GIT_TIMEOUT_MS,
      },
      (error, stdout, stderr) => {
        if (error) reject(hostToolFailed(`git ${args[0]}`, stderr.toString('utf8'), error.message));
        else resolve(stdout);
      },
    );
  });
}

/** A repository checked out on the host, in a temporary folder removed by `dispose`. */
export interface HostCheckout {
  dir: string;
  /**
   * The working tree (with .git) as a tar stream, entries `./...`, read from the host's `tar` as
   * it is consumed: what goes into the VM. Stopping early stops the `tar`.
   */
  packed(): AsyncIterable<Uint8Array>;
  /**
   * Commits the VM's tree on a new branch and pushes it; false when the tree has no changes.
   * `tree` is a tar stream as the data plane packs a directory: one top-level folder (whatever
   * its name) holding the tree; `.git` entries at any depth are ignored.
   */
  pushChanges(tree: AsyncIterable<Uint8Array>, branch: string, message: string): Promise<boolean>;
  dispose(): Promise<void>;
}

/**
 * Clones `cloneUrl` into a fresh folder and checks out `ref` (a commit or `origin/<branch>`).
 * Works with GitHub's smart HTTP and with any git HTTP server, dumb ones included.
 */
export async function checkoutOnHost(
  cloneUrl: string,
  ref: string,
  token: string | undefined,
  options: { maxChangesBytes?: number } = {},
): Promise<HostCheckout> {
  const maxChangesBytes = options.maxChangesBytes ?? MAX_CHANGES_BYTES;
  if (!/^https?:\/\//.test(cloneUrl)) {
    throw new AetherError('ERR_INTEGRATION_FAILED', 'github: the clone URL is not http(s)', {
      details: { integration: 'github' },
    });
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'aether-gh-'));
  const dir = path.join(root, 'repo');
  const auth = token === undefined ? {} : { token };
  try {
    await git(['clone', '--quiet', '--no-checkout', '--', cloneUrl, dir], auth);
    await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', ref, '--'], {
      cwd: dir,
    });
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    packed() {
      return tarOutput(['-cf', '-', '-C', dir, '.']);
    },
    async pushChanges(changes, branch, message) {
      // The VM's tree goes into a folder of its own, and git compares it with HEAD through
      // --work-tree: additions, edits and deletions alike. Nothing of the VM's .git is taken.
      const tree = path.join(root, 'changes');
      await mkdir(tree);
      await tarInput(
        [
          '-xf',
          '-',
          '-C',
          tree,
          '--strip-components=1',
          '--no-same-owner',
          '--no-same-permissions',
          '--exclude=.git',
        ],
        changes,
        maxChangesBytes,
      );
      const inTree = (args: string[], extra: { token?: string } = {}) =>
        git(['--git-dir', path.join(dir, '.git'), '--work-tree', tree, ...args], { cwd: tree, ...extra });
      await inTree(['add', '--all', '.']);
      const changed = (await inTree(['diff', '--cached', '--name-only'])).toString('utf8').trim();
      if (changed === '') return false;
      await inTree(['commit', '--quiet', '--no-verify', '-m', message]);
      await inTree(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], auth);
      return true;
    },
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
