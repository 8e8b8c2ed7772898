/**
 * The host side of a GitHub run, with real git and tar against git's smart HTTP (the fake's
 * `git http-backend`): the checkout streams out as a tar, and a VM's tree streams back in,
 * hostile trees included — a symlink leading out of the tree, a `.git` of the VM's own, a cut
 * transfer, a tree larger than the bound.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack as createPack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServices, startFakeServices } from '../../../test/support/fake-github-slack.js';
import { checkoutOnHost, type HostCheckout } from './checkout.js';

const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

type Entry =
  | { name: string; type: 'directory' }
  | { name: string; type: 'file'; body: string }
  | { name: string; type: 'symlink'; target: string };

/** A tar archive as the data plane packs a VM directory: built entry by entry, in memory. */
async function archive(entries: Entry[]): Promise<Buffer> {
  const pack = createPack();
  for (const entry of entries) {
    if (entry.type === 'file') pack.entry({ name: entry.name, mode: 0o644 }, entry.body);
    else if (entry.type === 'directory') pack.entry({ name: entry.name, type: 'directory', mode: 0o755 });
    else pack.entry({ name: entry.name, type: 'symlink', linkname: entry.target });
  }
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** The tree at the head, as the VM would hand it back: top folder `repo`, with a `.git`. */
const unchangedTree: Entry[] = [
  { name: 'repo/', type: 'directory' },
  { name: 'repo/README.md', type: 'file', body: 'widgets\n' },
  { name: 'repo/keep.txt', type: 'file', body: 'kept\n' },
];

describe('checkoutOnHost', () => {
  let gitRoot: string;
  let outside: string;
  let fake: FakeServices;
  let bare: string;
  let cloneUrl: string;
  let headSha: string;

  beforeAll(async () => {
    gitRoot = mkdtempSync(path.join(os.tmpdir(), 'aether-checkout-git-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'aether-checkout-outside-'));
    const work = mkdtempSync(path.join(os.tmpdir(), 'aether-checkout-work-'));
    bare = path.join(gitRoot, 'acme', 'widgets.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare], { env: GIT_ENV });
    git(work, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(path.join(work, 'README.md'), 'widgets\n');
    writeFileSync(path.join(work, 'keep.txt'), 'kept\n');
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'main');
    headSha = git(work, 'rev-parse', 'HEAD');
    git(work, 'push', '--quiet', bare, 'main');
    rmSync(work, { recursive: true, force: true });
    fake = await startFakeServices({ gitRoot });
    cloneUrl = `${fake.gitBase}/acme/widgets.git`;
  });

  afterAll(async () => {
    await fake?.close();
    rmSync(gitRoot, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const branches = () => git(bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/');

  async function withCheckout<T>(
    use: (checkout: HostCheckout) => Promise<T>,
    options: { maxChangesBytes?: number } = {},
  ): Promise<T> {
    const checkout = await checkoutOnHost(cloneUrl, headSha, undefined, options);
    try {
      return await use(checkout);
    } finally {
      await checkout.dispose();
    }
  }

  it('streams the checkout, .git included, as a tar of ./ entries', async () => {
    await withCheckout(async (checkout) => {
      const tar = await collect(checkout.packed());
      const names = execFileSync('tar', ['-tf', '-'], { input: tar, encoding: 'utf8' }).split('\n');
      expect(names).toEqual(expect.arrayContaining(['./', './README.md', './keep.txt', './.git/HEAD']));
      expect(names.every((name) => name === '' || name.startsWith('./'))).toBe(true);
    });
  });

  it('fails the stream when tar fails, so a partial pack is never taken for a whole one', async () => {
    const checkout = await checkoutOnHost(cloneUrl, headSha, undefined);
    await checkout.dispose();
    await expect(collect(checkout.packed())).rejects.toMatchObject({
      code: 'ERR_INTEGRATION_FAILED',
      message: expect.stringMatching(/^tar -c failed: /),
    });
  });

  it('pushes additions, edits and deletions, and none of the VM’s .git', async () => {
    const tree = await archive([
      { name: 'workspace/', type: 'directory' },
      { name: 'workspace/README.md', type: 'file', body: 'widgets, faster\n' },
      { name: 'workspace/src/', type: 'directory' },
      { name: 'workspace/src/new.txt', type: 'file', body: 'new\n' },
      { name: 'workspace/link', type: 'symlink', target: '/etc/passwd' },
      // The VM's own .git, at the top and nested: a hook or config from it must never reach us.
      { name: 'workspace/.git/', type: 'directory' },
      { name: 'workspace/.git/config', type: 'file', body: '[core]\n\thooksPath = /tmp/evil\n' },
      { name: 'workspace/src/.git/', type: 'directory' },
      { name: 'workspace/src/.git/HEAD', type: 'file', body: 'ref: refs/heads/evil\n' },
    ]);
    const pushed = await withCheckout((checkout) =>
      checkout.pushChanges(Readable.from([tree]), 'aether/t-1', 'change things'),
    );
    expect(pushed).toBe(true);
    expect(git(bare, 'diff', '--name-status', headSha, 'aether/t-1').split('\n').sort()).toEqual([
      'A\tlink',
      'A\tsrc/new.txt',
      'D\tkeep.txt',
      'M\tREADME.md',
    ]);
    // The symlink is committed as a link: its target's content was never read on the host.
    expect(git(bare, 'cat-file', '-p', 'aether/t-1:link')).toBe('/etc/passwd');
    expect(git(bare, 'log', '-1', '--format=%s', 'aether/t-1')).toBe('change things');
  });

  it('pushes nothing when the tree equals the head', async () => {
    const tree = await archive(unchangedTree);
    const pushed = await withCheckout((checkout) =>
      checkout.pushChanges(Readable.from([tree]), 'aether/t-same', 'nothing'),
    );
    expect(pushed).toBe(false);
    expect(branches()).not.toContain('aether/t-same');
  });

  it('refuses a tree that writes through a symlink out of it, and writes nothing there', async () => {
    const tree = await archive([
      ...unchangedTree,
      { name: 'repo/escape', type: 'symlink', target: outside },
      { name: 'repo/escape/pwned', type: 'file', body: 'pwned\n' },
      { name: 'repo/up', type: 'symlink', target: '../../../../../../../../..' },
      { name: 'repo/up/tmp/pwned', type: 'file', body: 'pwned\n' },
    ]);
    await expect(
      withCheckout((checkout) => checkout.pushChanges(Readable.from([tree]), 'aether/t-escape', 'escape')),
    ).rejects.toMatchObject({
      code: 'ERR_INTEGRATION_FAILED',
      message: expect.stringMatching(/^tar -x failed/),
    });
    expect(readdirSync(outside)).toEqual([]);
    expect(() => readFileSync('/tmp/pwned')).toThrow();
    expect(branches()).not.toContain('aether/t-escape');
  });

  it('refuses a transfer cut half-way, and pushes nothing', async () => {
    const tree = await archive([
      ...unchangedTree,
      { name: 'repo/big', type: 'file', body: 'x'.repeat(200_000) },
    ]);
    async function* cut(): AsyncGenerator<Uint8Array> {
      yield tree.subarray(0, 100_000);
      throw new Error('connection reset by peer');
    }
    await expect(
      withCheckout((checkout) => checkout.pushChanges(cut(), 'aether/t-cut', 'cut')),
    ).rejects.toMatchObject({
      code: 'ERR_TRANSFER_ABORTED',
      message: expect.stringContaining('connection reset'),
    });
    expect(branches()).not.toContain('aether/t-cut');
  });

  it('refuses a tree larger than the bound before it fills the host, and pushes nothing', async () => {
    const tree = await archive([
      ...unchangedTree,
      { name: 'repo/big', type: 'file', body: 'x'.repeat(200_000) },
    ]);
    // Sent in small chunks, as a guest streams it: the bound stops the transfer part-way.
    const chunks = Array.from({ length: Math.ceil(tree.length / 16_384) }, (_, i) =>
      tree.subarray(i * 16_384, (i + 1) * 16_384),
    );
    let sent = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const chunk of chunks) {
        sent += chunk.length;
        yield chunk;
      }
    }
    await expect(
      withCheckout((checkout) => checkout.pushChanges(source(), 'aether/t-big', 'big'), {
        maxChangesBytes: 64 * 1024,
      }),
    ).rejects.toMatchObject({
      code: 'ERR_INTEGRATION_FAILED',
      message: expect.stringContaining('larger than 65536 bytes'),
    });
    expect(sent).toBeLessThan(tree.length);
    expect(branches()).not.toContain('aether/t-big');
  });
});
