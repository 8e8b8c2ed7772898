/**
 * `sandbox.files` on a real embedded node: text and bytes, directory operations, hostile paths
 * (refused, or resolved inside the VM and never reaching the host's files), a 100 MiB transfer
 * streamed both ways with this process's memory bounded, and local files up and down.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from '@aetherium/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { canRunSandboxes, rejection, useSandbox, useSdkNode } from './support/sdk-node.js';

const canRun = await canRunSandboxes('SDK files');
const sdk = useSdkNode(canRun);

const MiB = 1024 ** 2;
const LARGE_SIZE = 100 * MiB;
/** What the transfer may add to this process's resident memory: far less than the file. */
const MEMORY_BOUND = 32 * MiB;

/**
 * `size` bytes in 64 KiB blocks, each different (its index in its first bytes), made one block
 * at a time and hashed as they go: the whole is never held.
 */
function patterned(size: number): { blocks: AsyncGenerator<Uint8Array>; digest(): string } {
  const hash = createHash('sha256');
  const base = Buffer.alloc(64 * 1024);
  for (let i = 0; i < base.length; i++) base[i] = (i * 131 + 7) & 0xff;
  async function* blocks(): AsyncGenerator<Uint8Array> {
    for (let offset = 0, index = 0; offset < size; offset += base.length, index++) {
      const block = Buffer.from(base.subarray(0, Math.min(base.length, size - offset)));
      block.writeUInt32BE(index, 0);
      hash.update(block);
      yield block;
    }
  }
  return { blocks: blocks(), digest: () => hash.digest('hex') };
}

/** Samples this process's RSS every 50 ms until stopped; returns the peak growth. */
function watchMemory(): () => number {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    return peak - before;
  };
}

describe.skipIf(!canRun)('sandbox.files (embedded node)', () => {
  const sandbox = useSandbox(sdk, canRun);
  const local = mkdtempSync(path.join(os.tmpdir(), 'aether-sdk-files-'));
  afterAll(() => rmSync(local, { recursive: true, force: true }));

  it('writes and reads text, creating parent directories', async () => {
    const text = 'héllo ✓ wörld\nsecond line\n';
    const written = await sandbox().files.write('notes/deep/hello.txt', text);
    expect(written.bytes).toBe(Buffer.byteLength(text));
    expect(await sandbox().files.read('notes/deep/hello.txt')).toBe(text);
    // Relative paths are under the VM user's home.
    expect(await sandbox().files.read('/home/user/notes/deep/hello.txt')).toBe(text);
    expect((await sandbox().commands.run('cat notes/deep/hello.txt')).stdout).toBe(text);
  });

  it('writes and reads bytes: every byte value survives', async () => {
    const bytes = Uint8Array.from({ length: 256 * 4 }, (_, i) => i % 256);
    await sandbox().files.write('all-bytes.bin', bytes);
    const back = await sandbox().files.read('all-bytes.bin', { format: 'bytes' });
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
    const hashed = await sandbox().commands.run(['sha256sum', 'all-bytes.bin']);
    expect(hashed.stdout.split(' ')[0]).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('lists, stats, tests, makes directories, renames and removes', async () => {
    const files = sandbox().files;
    await files.mkdir('tree/sub/leaf');
    await files.write('tree/a.txt', 'a');
    await files.write('tree/sub/b.sh', '#!/bin/sh\necho b\n', { mode: 0o755 });

    const top = await files.list('tree');
    expect(top.map((e) => [e.name, e.type]).sort()).toEqual([
      ['a.txt', 'file'],
      ['sub', 'directory'],
    ]);
    const all = await files.list('tree', { recursive: true });
    expect(all.map((e) => e.name).sort()).toEqual(['a.txt', 'sub', 'sub/b.sh', 'sub/leaf']);

    const stat = await files.stat('tree/sub/b.sh');
    expect(stat).toMatchObject({ name: 'b.sh', type: 'file', size: 17 });
    expect(stat.mode & 0o777).toBe(0o755);
    expect((await sandbox().commands.run(['tree/sub/b.sh'])).stdout).toBe('b\n');
    expect((await files.stat('tree')).type).toBe('directory');
    await expect(files.stat('tree/none')).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
    await expect(files.stat('tree/none')).rejects.toBeInstanceOf(NotFoundError);

    expect(await files.exists('tree/a.txt')).toBe(true);
    expect(await files.exists('tree/sub/leaf')).toBe(true);
    expect(await files.exists('tree/none')).toBe(false);

    await files.rename('tree/a.txt', 'tree/sub/moved.txt');
    expect(await files.exists('tree/a.txt')).toBe(false);
    expect(await files.read('tree/sub/moved.txt')).toBe('a');

    const notEmpty = await rejection(files.remove('tree'));
    expect(notEmpty).toBeInstanceOf(ConflictError);
    expect(notEmpty.code).toBe('ERR_DIRECTORY_NOT_EMPTY');
    expect(await files.exists('tree/sub/moved.txt')).toBe(true);
    await files.remove('tree/sub/moved.txt');
    expect(await files.exists('tree/sub/moved.txt')).toBe(false);
    await files.remove('tree', { recursive: true });
    expect(await files.exists('tree')).toBe(false);
    await expect(files.remove('tree')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a path with a NUL byte with a ValidationError, in every operation', async () => {
    const files = sandbox().files;
    const bad = 'innocent.txt\0/../../etc/shadow';
    for (const attempt of [
      () => files.write(bad, 'x'),
      () => files.read(bad),
      () => files.stat(bad),
      () => files.list(bad),
      () => files.mkdir(bad),
      () => files.remove(bad),
      () => files.rename('notes', bad),
    ]) {
      const error = await rejection(attempt());
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
      expect(error.message).toMatch(/NUL/);
    }
    expect(await files.exists('innocent.txt')).toBe(false);
  });

  it('resolves ../ paths inside the VM: the host keeps its files and shows none it hides', async () => {
    const files = sandbox().files;
    const hostPasswd = readFileSync('/etc/passwd');
    // The VM's /etc is the host's, read-only: a write is refused.
    const refused = await rejection(files.write('../../etc/passwd', 'mallory::0:0::/:/bin/sh\n'));
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect(refused.code).toBe('ERR_PERMISSION_DENIED');
    expect(readFileSync('/etc/passwd').equals(hostPasswd)).toBe(true);

    // A host file outside what the VM is shown is not found, however it is named.
    const secretDir = mkdtempSync(path.join(os.tmpdir(), 'aether-sdk-secret-'));
    const secret = `host secret ${randomBytes(8).toString('hex')}`;
    writeFileSync(path.join(secretDir, 'secret.txt'), secret, { mode: 0o644 });
    try {
      for (const name of [
        path.join(secretDir, 'secret.txt'),
        `../../../..${secretDir}/secret.txt`,
        path.join(sdk.node().dataDir, 'credentials.json'),
      ]) {
        const error = await rejection(files.read(name));
        expect(error, name).toBeInstanceOf(NotFoundError);
        expect(error.message).not.toContain(secret);
      }
      // Written there, it lands inside the VM, not on the host.
      await files.write(`../../../..${secretDir}/planted.txt`, 'planted');
      expect(existsSync(path.join(secretDir, 'planted.txt'))).toBe(false);
      expect(await files.read(`${secretDir}/planted.txt`)).toBe('planted');
    } finally {
      rmSync(secretDir, { recursive: true, force: true });
    }
  });

  it('streams 100 MiB up from a generator and back as a stream, identical, in bounded memory', async () => {
    // The first transfer of any size grows the heap and the allocator's pools once (some 25-40
    // MiB here, as much for 8 MiB as for 300): that is paid before measuring, so what is measured
    // is what a transfer holds, which must not grow with its size.
    await sandbox().files.write('large/warm-up.bin', patterned(8 * MiB).blocks);
    for await (const _ of (await sandbox().files.read('large/warm-up.bin', {
      format: 'stream',
    })) as unknown as AsyncIterable<Uint8Array>) {
      // read to the end
    }
    const source = patterned(LARGE_SIZE);
    const stop = watchMemory();
    const written = await sandbox().files.write('large/stream.bin', source.blocks);
    expect(written.bytes).toBe(LARGE_SIZE);
    const expected = source.digest();

    const stream = await sandbox().files.read('large/stream.bin', { format: 'stream' });
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.byteLength;
    }
    const growth = stop();
    console.info(`100 MiB up and down: RSS grew by at most ${(growth / MiB).toFixed(1)} MiB`);
    expect(size).toBe(LARGE_SIZE);
    expect(hash.digest('hex')).toBe(expected);
    expect((await sandbox().files.stat('large/stream.bin')).size).toBe(LARGE_SIZE);
    expect(growth).toBeLessThan(MEMORY_BOUND);
    await sandbox().files.remove('large', { recursive: true });
  }, 60_000);

  it('uploads a local file and downloads it back, byte-identical', async () => {
    const original = path.join(local, 'original.bin');
    const content = randomBytes(3 * MiB + 17);
    writeFileSync(original, content);
    const uploaded = await sandbox().files.upload(original, 'uploads/copy.bin', { mode: 0o600 });
    expect(uploaded.bytes).toBe(content.length);
    expect((await sandbox().files.stat('uploads/copy.bin')).mode & 0o777).toBe(0o600);

    const back = path.join(local, 'back.bin');
    await sandbox().files.download('uploads/copy.bin', back);
    expect(readFileSync(back).equals(content)).toBe(true);

    // A download of nothing fails and leaves no local file; an upload of nothing sends nothing.
    const missing = path.join(local, 'missing.bin');
    await expect(sandbox().files.download('uploads/none.bin', missing)).rejects.toBeInstanceOf(NotFoundError);
    expect(existsSync(missing)).toBe(false);
    await expect(sandbox().files.upload(path.join(local, 'none'), 'uploads/none.bin')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(await sandbox().files.exists('uploads/none.bin')).toBe(false);
  });
});
