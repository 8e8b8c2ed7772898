import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pack as createPack, type Headers } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractArchive, packDirectory } from './local-archive.js';

/** A tar stream of these entries, as a hostile VM (or worker) could write it. */
async function* archiveOf(entries: (Headers & { body?: string })[], cutAfter?: number) {
  const pack = createPack();
  for (const { body, ...header } of entries) pack.entry(header, body ?? '');
  pack.finalize();
  let sent = 0;
  for await (const chunk of pack as AsyncIterable<Uint8Array>) {
    if (cutAfter !== undefined && sent + chunk.byteLength > cutAfter) {
      yield chunk.subarray(0, cutAfter - sent);
      throw new Error('connection reset');
    }
    sent += chunk.byteLength;
    yield chunk;
  }
}

let scratch: string;
let into: string;
let outside: string;

beforeEach(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'aether-archive-'));
  into = path.join(scratch, 'into');
  outside = path.join(scratch, 'outside');
  mkdirSync(into);
  mkdirSync(outside);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('extractArchive against a hostile archive', () => {
  it('never writes through a symlink the archive made, and says so', async () => {
    const extraction = extractArchive(
      archiveOf([
        { name: 'escape', type: 'symlink', linkname: outside },
        { name: 'escape/pwned', type: 'file', body: 'owned\n' },
      ]),
      into,
    );
    await expect(extraction).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    expect(existsSync(path.join(outside, 'pwned'))).toBe(false);
    // The name was taken by a real directory first, so the link was refused rather than made.
    expect(lstatSync(path.join(into, 'escape')).isSymbolicLink()).toBe(false);
  });

  it('refuses `..` names, and puts absolute names under the directory, never at the root', async () => {
    await expect(
      extractArchive(
        archiveOf([
          { name: '../up', type: 'file', body: 'up' },
          { name: `${outside}/abs`, type: 'file', body: 'abs' },
        ]),
        into,
      ),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    expect(existsSync(path.join(scratch, 'up'))).toBe(false);
    expect(existsSync(path.join(outside, 'abs'))).toBe(false);
  });

  it('replaces a symlink named by a later file instead of writing to its target', async () => {
    const victim = path.join(outside, 'victim');
    writeFileSync(victim, 'original');
    await extractArchive(
      archiveOf([
        { name: 'leaf', type: 'symlink', linkname: victim },
        { name: 'leaf', type: 'file', body: 'second' },
      ]),
      into,
    );
    expect(readFileSync(victim, 'utf8')).toBe('original');
    expect(readFileSync(path.join(into, 'leaf'), 'utf8')).toBe('second');
  });

  it('drops setuid bits and refuses hard links', async () => {
    await expect(
      extractArchive(
        archiveOf([
          { name: 'suid', type: 'file', mode: 0o4755, body: '#!/bin/sh\n' },
          { name: 'hard', type: 'link', linkname: '/etc/passwd' },
        ]),
        into,
      ),
    ).rejects.toThrow(/Link/);
    expect(statSync(path.join(into, 'suid')).mode & 0o7777).toBe(0o755);
    expect(existsSync(path.join(into, 'hard'))).toBe(false);
  });

  it('keeps a symlink with an absolute target as that link', async () => {
    await extractArchive(archiveOf([{ name: 'hosts', type: 'symlink', linkname: '/etc/hosts' }]), into);
    expect(readlinkSync(path.join(into, 'hosts'))).toBe('/etc/hosts');
  });

  it('fails with the source error when the stream is cut mid-entry', async () => {
    const big = 'x'.repeat(100_000);
    await expect(
      extractArchive(archiveOf([{ name: 'big', type: 'file', body: big }], 20_000), into),
    ).rejects.toThrow(/connection reset/);
  });
});

describe('packDirectory', () => {
  it('round-trips a tree with modes and symlinks through extractArchive', async () => {
    const tree = path.join(scratch, 'tree');
    mkdirSync(path.join(tree, 'sub'), { recursive: true });
    writeFileSync(path.join(tree, 'sub', 'run.sh'), 'echo hi\n', { mode: 0o755 });
    writeFileSync(path.join(tree, 'secret'), 's', { mode: 0o600 });
    writeFileSync(path.join(tree, 'empty'), '');
    const { symlinkSync } = await import('node:fs');
    symlinkSync('sub/run.sh', path.join(tree, 'link'));
    await extractArchive(await packDirectory(tree, 'copy'), into);
    const copy = path.join(into, 'copy');
    expect(statSync(path.join(copy, 'sub', 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(copy, 'secret')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(copy, 'empty')).size).toBe(0);
    expect(readlinkSync(path.join(copy, 'link'))).toBe('sub/run.sh');
  });
});
