import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract as createExtract, pack as createPack, type Headers } from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { requireBackend } from '../../../test/support/backends.js';
import { namespacesUnavailable } from '../../../test/support/sandboxes.js';
import { type AetherError, isAetherError } from '../../core/errors.js';
import { createProcessDriver, type ProcessDriver } from '../../drivers/process/process-driver.js';
import { sh } from '../../testing/conformance/drivers/fixtures.js';
import { packTree, unpackTree } from './tree-archive.js';

const unavailable = namespacesUnavailable();
const available = await requireBackend('process driver', unavailable === null, unavailable ?? '');

const MiB = 1024 * 1024;
const LONG_NAME = `${'long-name-'.repeat(15)}.txt`; // 154 bytes: past ustar's 100, and no prefix split helps

/** The tree every round trip packs: one of each kind of entry a copy must keep. */
const SOURCE_TREE = [
  'mkdir -p src/a/b/c src/empty-dir',
  ': > src/empty',
  `printf '#!/bin/sh\\necho hi\\n' > src/run.sh && chmod 0755 src/run.sh`,
  'echo secret > src/a/private && chmod 0600 src/a/private',
  'ln -s ../run.sh src/a/relative-link && ln -s /etc/hostname src/absolute-link',
  `echo long > src/a/b/${LONG_NAME}`,
  'echo accent > src/a/café',
  `head -c ${5 * MiB} /dev/urandom > src/a/b/c/big.bin`,
  'touch -d @1500000000 src/a/private',
  'mkfifo src/a/fifo', // skipped by the packer: a copy carries data
].join(' && ');

/** type, mode, size (files), target (symlinks), path: one line per entry, sorted. */
const LISTING = `find . -mindepth 1 -printf '%y %m %l %P\\n' | sort; echo; find . -type f -printf '%s %Ts %P\\n' | sort`;
const HASHES = `find . -type f -print0 | sort -z | xargs -0 sha256sum`;

describe.skipIf(!available)('directory trees as tar streams over a VM', () => {
  let stateDir = '';
  let driver: ProcessDriver;
  const vms: string[] = [];
  let vm = '';

  const guest = async (script: string) => {
    const result = await sh(driver, vm, script, { timeoutMs: 30_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    return result.stdout;
  };

  async function startVm(label: string): Promise<string> {
    const id = randomUUID();
    vms.push(id);
    await driver.create({ id, name: `tree-archive-${label}`, vcpus: 1, memoryMiB: 256 });
    await driver.start(id);
    return id;
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aether-tree-archive-'));
    chmodSync(stateDir, 0o711);
    driver = createProcessDriver({ stateDir, agentPath: inject('agentBundlePath'), bootTimeoutMs: 15_000 });
    vm = await startVm('main');
    await guest(SOURCE_TREE);
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.error(`[tree-archive] VMs ${vms.join(', ')}; stateDir ${stateDir}`));
  });

  afterAll(async () => {
    for (const id of vms) await driver?.destroy(id).catch((error) => console.error(`destroy ${id}:`, error));
    await driver?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('packs a tree under its base name, skipping FIFOs, in an archive GNU tar reads', async () => {
    const archive = await collect(packTree(driver.files, vm, 'src'));
    const headers = await entriesOf(archive);
    const names = headers.map((h) => h.name);
    expect(names[0]).toBe('src/');
    expect(names.every((name) => name === 'src/' || name.startsWith('src/'))).toBe(true);
    expect(names).toContain(`src/a/b/${LONG_NAME}`);
    expect(names).toContain('src/a/café');
    expect(names).not.toContain('src/a/fifo');
    expect(headers.find((h) => h.name === 'src/a/relative-link')).toMatchObject({
      type: 'symlink',
      linkname: '../run.sh',
    });
    expect(headers.find((h) => h.name === 'src/a/private')).toMatchObject({ mode: 0o600, size: 7 });
    expect(headers.find((h) => h.name === 'src/a/private')?.mtime?.getTime()).toBe(1_500_000_000_000);

    const gnu = spawnSync('tar', ['-tvf', '-'], { input: archive, encoding: 'utf8' });
    expect(gnu.status, gnu.stderr).toBe(0);
    expect(gnu.stdout).toContain(`src/a/b/${LONG_NAME}`);
    expect(gnu.stdout).toMatch(/^-rwxr-xr-x .* src\/run\.sh$/m);
    expect(gnu.stdout).toMatch(/^lrwxrwxrwx .* src\/absolute-link -> \/etc\/hostname$/m);
  });

  it('round-trips the tree into another directory of the VM and into a second VM, byte for byte', async () => {
    const expectedListing = await guest(`cd src && ${LISTING}`);
    const expectedHashes = await guest(`cd src && ${HASHES}`);
    expect(expectedListing).toContain('l 777 ../run.sh a/relative-link');
    expect(expectedListing).toMatch(/^f 600 {2}a\/private$/m);

    const into = await unpackTree(driver.files, vm, 'copies/one', packTree(driver.files, vm, 'src'));
    const fileCount = Number((await guest('find src -type f | wc -l')).trim());
    const byteCount = Number(
      (await guest(`find src -type f -printf '%s\\n' | awk '{ s += $1 } END { print s }'`)).trim(),
    );
    expect(into).toEqual({ files: fileCount, bytes: byteCount });
    const withoutFifo = expectedListing.replace(/^p .*\n/m, '');
    expect(await guest(`cd copies/one/src && ${LISTING}`)).toBe(withoutFifo);
    expect(await guest(`cd copies/one/src && ${HASHES}`)).toBe(expectedHashes);

    const second = await startVm('second');
    await unpackTree(driver.files, second, '/tmp/landed', packTree(driver.files, vm, 'src'));
    const there = await sh(driver, second, `cd /tmp/landed/src && ${LISTING} && ${HASHES}`);
    expect(there.stdout).toBe(withoutFifo + expectedHashes);
  });

  it('packs a single file as one entry, and the contents of `dir/.` without the directory', async () => {
    const single = await entriesOf(await collect(packTree(driver.files, vm, 'src/run.sh')));
    expect(single.map((h) => [h.name, h.type, h.mode])).toEqual([['run.sh', 'file', 0o755]]);
    const contents = await entriesOf(await collect(packTree(driver.files, vm, 'src/a/b/.')));
    expect(contents.map((h) => h.name)).toEqual(['c/', 'c/big.bin', LONG_NAME]);
  });

  it('fails the stream with ERR_FILE_NOT_FOUND for a missing path', async () => {
    await expect(collect(packTree(driver.files, vm, 'no/such/dir'))).rejects.toMatchObject({
      code: 'ERR_FILE_NOT_FOUND',
    });
  });

  it('stops reading when the archive is destroyed midway, and the agent serves the next call', async () => {
    await guest(`mkdir -p cut && head -c ${32 * MiB} /dev/zero > cut/big`);
    const archive = packTree(driver.files, vm, 'cut');
    let seen = 0;
    for await (const chunk of archive as AsyncIterable<Buffer>) {
      seen += chunk.byteLength;
      if (seen > MiB) break; // destroys the archive
    }
    expect(archive.destroyed).toBe(true);
    await expect(driver.files.stat(vm, 'cut/big')).resolves.toMatchObject({ size: 32 * MiB });
    const again = await entriesOf(await collect(packTree(driver.files, vm, 'cut')));
    expect(again.map((h) => [h.name, h.size])).toEqual([
      ['cut/', 0],
      ['cut/big', 32 * MiB],
    ]);
  });

  it('cuts a file that grows while it is read at the size its header declared', async () => {
    await guest(`mkdir -p grow && head -c ${16 * MiB} /dev/zero > grow/log`);
    const archive = packTree(driver.files, vm, 'grow');
    const reader = archive[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const rest = await readPast(reader, 4096); // the file is open and its header written
    await guest(`head -c ${8 * MiB} /dev/urandom >> grow/log`);
    for (let next = await reader.next(); !next.done; next = await reader.next()) rest.push(next.value);
    const headers = await entriesOf(Buffer.concat(rest));
    expect(headers.map((h) => [h.name, h.size])).toEqual([
      ['grow/', 0],
      ['grow/log', 16 * MiB],
    ]);
  });

  it('fails the stream, rather than emit a corrupt archive, when a file shrinks while it is read', async () => {
    await guest(`mkdir -p shrink && head -c ${48 * MiB} /dev/zero > shrink/data`);
    const archive = packTree(driver.files, vm, 'shrink');
    const reader = archive[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    await readPast(reader, 4096);
    await guest('truncate -s 1000 shrink/data');
    const drain = async () => {
      for (let next = await reader.next(); !next.done; next = await reader.next()) {
        // keep reading until the packer notices
      }
    };
    await expect(drain()).rejects.toMatchObject({ code: 'ERR_TRANSFER_ABORTED', message: /shrank/ });
  });

  describe('hostile archives', () => {
    it.each([
      ['../x', 'has a ".." component'],
      ['a/../../x', 'has a ".." component'],
      ['/etc/x', 'is absolute'],
      ['a\0b', 'NUL'],
    ])('refuses the entry %j', async (name, why) => {
      // A pax record carries the name whole (a ustar field would stop at a NUL).
      const header = { name, type: 'file', pax: { comment: 'hostile' } } as Headers;
      const archive = await tarOf([{ header, body: 'pwned' }]);
      const error = await rejection(unpackTree(driver.files, vm, 'hostile/names', chunks(archive)));
      expect(error.code).toBe('ERR_VALIDATION');
      expect(error.message).toContain(JSON.stringify(name));
      expect(error.message).toContain(why);
      expect(error.details).toEqual({ entry: name });
    });

    it('refuses an empty entry name', async () => {
      // tar-stream will not write an empty name, so the header is made by hand from a valid one.
      const archive = await tarOf([{ header: { name: 'x', type: 'file' }, body: '' }]);
      archive[0] = 0;
      rewriteChecksum(archive);
      await expect(unpackTree(driver.files, vm, 'hostile/empty', chunks(archive))).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
        details: { entry: '' },
      });
    });

    it('refuses to write through a symlink the same archive planted', async () => {
      const archive = await tarOf([
        { header: { name: 'a', type: 'symlink', linkname: '/' } },
        { header: { name: 'a/etc/x', type: 'file' }, body: 'pwned' },
      ]);
      const error = await rejection(unpackTree(driver.files, vm, 'hostile/link', chunks(archive)));
      expect(error.code).toBe('ERR_VALIDATION');
      expect(error.message).toMatch(/"a\/etc\/x".*through the symlink "a"/);
      expect(await guest('test -e /etc/x && echo escaped || echo safe')).toBe('safe\n');

      const viaTmp = await tarOf([
        { header: { name: 'd/t', type: 'symlink', linkname: '/tmp' } },
        { header: { name: './d//t/escaped', type: 'directory' } },
      ]);
      await expect(unpackTree(driver.files, vm, 'hostile/link2', chunks(viaTmp))).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
      });
      expect(await guest('test -e /tmp/escaped && echo escaped || echo safe')).toBe('safe\n');
    });

    it('lets a later entry replace a symlink of the archive itself, never what it points to', async () => {
      await guest('mkdir -p hostile/outside && echo original > hostile/outside/f');
      const archive = await tarOf([
        { header: { name: 'f', type: 'symlink', linkname: '../outside/f' } },
        { header: { name: 'f', type: 'file' }, body: 'replaced' },
      ]);
      await unpackTree(driver.files, vm, 'hostile/replace', chunks(archive));
      expect(await guest('cat hostile/outside/f; test -L hostile/replace/f || cat hostile/replace/f')).toBe(
        'original\nreplaced',
      );
    });

    it('refuses a hard link', async () => {
      const archive = await tarOf([
        { header: { name: 'real', type: 'file' }, body: 'data' },
        { header: { name: 'alias', type: 'link', linkname: '/etc/shadow' } },
      ]);
      await expect(unpackTree(driver.files, vm, 'hostile/hard', chunks(archive))).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
        message: /"alias".*hard link/,
      });
    });

    it('refuses bytes that are not a tar archive', async () => {
      const garbage = Buffer.alloc(4096, 'not a tar archive ');
      await expect(unpackTree(driver.files, vm, 'hostile/garbage', chunks(garbage))).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
        message: /not a readable tar archive/,
      });
    });
  });

  describe('cut archives', () => {
    it('rejects an archive cut inside a file with ERR_TRANSFER_ABORTED and leaves no half file', async () => {
      const archive = await tarOf([
        { header: { name: 'done.txt', type: 'file' }, body: 'complete' },
        { header: { name: 'half.bin', type: 'file' }, body: Buffer.alloc(4 * MiB, 7) },
      ]);
      const cut = archive.subarray(0, 2 * MiB);
      const error = await rejection(unpackTree(driver.files, vm, 'cut-inside', chunks(cut)));
      expect(error.code).toBe('ERR_TRANSFER_ABORTED');
      expect(await guest('ls -A cut-inside')).toBe('done.txt\n'); // no half.bin, no temporary file
    });

    it('rejects an archive cut between entries (no end-of-archive marker)', async () => {
      const archive = await tarOf([
        { header: { name: 'first', type: 'file' }, body: 'one' },
        { header: { name: 'second', type: 'file' }, body: 'two' },
      ]);
      const cut = archive.subarray(0, 1024); // the first entry's header and data block, nothing more
      await expect(unpackTree(driver.files, vm, 'cut-between', chunks(cut))).rejects.toMatchObject({
        code: 'ERR_TRANSFER_ABORTED',
        message: /end-of-archive marker/,
      });
      expect(await guest('ls -A cut-between')).toBe('first\n');
    });

    it('rejects with ERR_TRANSFER_ABORTED when the sender goes away midway', async () => {
      const archive = await tarOf([
        { header: { name: 'big', type: 'file' }, body: Buffer.alloc(3 * MiB, 1) },
      ]);
      async function* dropped() {
        yield archive.subarray(0, MiB);
        throw new Error('socket hang up');
      }
      await expect(unpackTree(driver.files, vm, 'cut-sender', dropped())).rejects.toMatchObject({
        code: 'ERR_TRANSFER_ABORTED',
      });
      expect(await guest('ls -A cut-sender')).toBe('');
    });

    it('stops when the upload is aborted', async () => {
      const controller = new AbortController();
      const archive = await tarOf([
        { header: { name: 'big', type: 'file' }, body: Buffer.alloc(8 * MiB, 1) },
      ]);
      async function* slow() {
        yield archive.subarray(0, MiB);
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 50));
        yield archive.subarray(MiB);
      }
      await expect(
        unpackTree(driver.files, vm, 'aborted', slow(), { signal: controller.signal }),
      ).rejects.toMatchObject({ code: 'ERR_TRANSFER_ABORTED' });
      expect(await guest('ls -A aborted')).toBe('');
    });
  });

  it('extracts a 0555 directory with its contents, and a `./` root entry, without blocking itself', async () => {
    const archive = await tarOf([
      { header: { name: './', type: 'directory', mode: 0o700 } },
      { header: { name: 'ro/', type: 'directory', mode: 0o555 } },
      { header: { name: 'ro/inner/', type: 'directory', mode: 0o750 } },
      {
        header: { name: 'ro/inner/f', type: 'file', mode: 0o640, mtime: new Date(1_600_000_000_000) },
        body: 'x',
      },
    ]);
    await guest('mkdir -p modes && chmod 0751 modes');
    expect(await unpackTree(driver.files, vm, 'modes', chunks(archive))).toEqual({ files: 1, bytes: 1 });
    // Filled with owner rwx borrowed, then given its exact mode; an existing directory keeps its own.
    expect(await guest(`stat -c '%a %n' modes modes/ro modes/ro/inner modes/ro/inner/f`)).toBe(
      '751 modes\n555 modes/ro\n750 modes/ro/inner\n640 modes/ro/inner/f\n',
    );
    expect(await guest(`stat -c %Y modes/ro/inner/f`)).toBe('1600000000\n');
  });
});

/** Reads an archive until more than `bytes` came out, keeping what it read. */
async function readPast(reader: AsyncIterator<Buffer>, bytes: number): Promise<Buffer[]> {
  const read: Buffer[] = [];
  let total = 0;
  while (total <= bytes) {
    const next = await reader.next();
    if (next.done) break;
    read.push(next.value);
    total += next.value.byteLength;
  }
  return read;
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => parts.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(parts)));
    stream.once('error', reject);
  });
}

/** An archive's bytes as a sender delivers them: in chunks of `size`. */
async function* chunks(archive: Buffer, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < archive.length; offset += size) yield archive.subarray(offset, offset + size);
}

async function entriesOf(archive: Buffer): Promise<Headers[]> {
  const extract = createExtract();
  const headers: Headers[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      headers.push(entry.header);
      entry.resume();
    }
  })();
  extract.end(archive);
  await done;
  return headers;
}

async function tarOf(entries: { header: Headers; body?: string | Buffer }[]): Promise<Buffer> {
  const pack = createPack();
  const out = collect(pack);
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(header, body ?? '', (error) => (error ? reject(error) : resolve())),
    );
  }
  pack.finalize();
  return out;
}

/** Recomputes the first header's checksum after a test edited its bytes. */
function rewriteChecksum(archive: Buffer): void {
  archive.fill(' ', 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += archive[i] ?? 0;
  archive.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
}

async function rejection(promise: Promise<unknown>): Promise<AetherError> {
  try {
    await promise;
  } catch (error) {
    if (isAetherError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
