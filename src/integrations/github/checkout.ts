import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AetherError } from '../../core/errors.js';

/** Longest a clone, a pack or a push may take on the host. */
const GIT_TIMEOUT_MS = 5 * 60_000;
const MAX_BUFFER = 512 * 1024 * 1024;

/**
 * Runs git or tar on the host: argv arrays, never a shell. The token reaches git through
 * environment config (GIT_CONFIG_COUNT/KEY/VALUE), so it is in no argv (`ps`), no URL and no
 * `.git/config`; git's own messages never print extra headers.
 */
function run(
  file: 'git' | 'tar',
  args: string[],
  options: { cwd?: string; token?: string; input?: Buffer } = {},
): Promise<Buffer> {
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
  if (options.token) {
    const basic = Buffer.from(`x-access-token:${options.token}`).toString('base64');
    config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
  }
  if (file === 'git') {
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
  }
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd: options.cwd, env, encoding: 'buffer', maxBuffer: MAX_BUFFER, timeout: GIT_TIMEOUT_MS },
      (error, stdout, stderr) => {
        if (error) {
          const said = stderr.toString('utf8').trim().split('\n').slice(-3).join(' / ');
          reject(
            new AetherError('ERR_INTEGRATION_FAILED', `${file} ${args[0]} failed: ${said || error.message}`, {
              details: { integration: 'github' },
            }),
          );
        } else resolve(stdout);
      },
    );
    if (options.input) child.stdin?.end(options.input);
  });
}

/** A repository checked out on the host, in a temporary folder removed by `dispose`. */
export interface HostCheckout {
  dir: string;
  /** The working tree (with .git) as a tar archive, base64: what goes into the VM. */
  packed(): Promise<string>;
  /**
   * Commits the VM's tree (a tar archive, base64; its .git entries ignored) on a new branch and
   * pushes it; false when the tree has no changes.
   */
  pushChanges(changesTar: string, branch: string, message: string): Promise<boolean>;
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
): Promise<HostCheckout> {
  if (!/^https?:\/\//.test(cloneUrl)) {
    throw new AetherError('ERR_INTEGRATION_FAILED', 'github: the clone URL is not http(s)', {
      details: { integration: 'github' },
    });
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'aether-gh-'));
  const dir = path.join(root, 'repo');
  const auth = token === undefined ? {} : { token };
  try {
    await run('git', ['clone', '--quiet', '--no-checkout', '--', cloneUrl, dir], auth);
    await run('git', ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', ref, '--'], {
      cwd: dir,
    });
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    async packed() {
      return (await run('tar', ['-cf', '-', '-C', dir, '.'])).toString('base64');
    },
    async pushChanges(changesTar, branch, message) {
      // The VM's tree goes into a folder of its own, and git compares it with HEAD through
      // --work-tree: additions, edits and deletions alike. Nothing of the VM's .git is taken.
      const tree = path.join(root, 'changes');
      await mkdir(tree);
      await run(
        'tar',
        ['-xf', '-', '-C', tree, '--no-same-owner', '--no-same-permissions', '--exclude=.git'],
        {
          input: Buffer.from(changesTar, 'base64'),
        },
      );
      const git = (args: string[], extra: { token?: string } = {}) =>
        run('git', ['--git-dir', path.join(dir, '.git'), '--work-tree', tree, ...args], {
          cwd: tree,
          ...extra,
        });
      await git(['add', '--all', '.']);
      const changed = (await git(['diff', '--cached', '--name-only'])).toString('utf8').trim();
      if (changed === '') return false;
      await git(['commit', '--quiet', '--no-verify', '-m', message]);
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], auth);
      return true;
    },
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
