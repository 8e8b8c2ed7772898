/**
 * Streaming files and file operations: AgentClient against the real agent bundle over a Unix
 * socket (the agent runs as a plain host process, its home a temp dir), bytes checked on disk.
 */

import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SpawnedAgent, spawnAgent } from '../agent/spawn-agent.js';
import { AetherError } from '../core/errors.js';
import { AgentClient } from './client.js';
import { encodeFrame } from './framing.js';
import { INITIAL_WINDOW_BYTES } from './messages.js';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `bytes` in chunks of uneven sizes, as a network source would give them. */
async function* unevenChunks(bytes: Buffer): AsyncGenerator<Uint8Array> {
  const sizes = [1, 70_000, 3 * MiB, 4096, 65_536, 999_999];
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

function processAlive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Files an upload leaves beside its target while it runs. */
const temporaries = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('.aether-upload-'));

describe('file streams and operations against the real agent', () => {
  let dir: string;
  let agent: SpawnedAgent;
  let client: AgentClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-files-'));
    agent = await spawnAgent(inject('agentBundlePath'), dir);
    const socket = connect(agent.socketPath);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    client = new AgentClient(socket, { requestTimeoutMs: 5000 });
  });

  afterAll(async () => {
    await client?.close();
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads and downloads 20 MiB byte for byte', async () => {
    const data = randomBytes(20 * MiB);
    const mtimeMs = Date.UTC(2020, 0, 2, 3, 4, 5);
    const written = await client.writeFile('big/nested/data.bin', unevenChunks(data), {
      mode: 0o600,
      mtimeMs,
    });
    expect(written).toEqual({ size: data.length });
    const onDisk = join(dir, 'big/nested/data.bin');
    expect(sha256(readFileSync(onDisk))).toBe(sha256(data));
    expect(statSync(onDisk).mode & 0o7777).toBe(0o600);
    expect(statSync(onDisk).mtimeMs).toBe(mtimeMs);
    expect(temporaries(join(dir, 'big/nested'))).toEqual([]);

    const { entry, body } = await client.readFile('big/nested/data.bin');
    expect(entry).toMatchObject({ name: 'data.bin', type: 'file', size: data.length, mode: 0o600 });
    const hash = createHash('sha256');
    for await (const chunk of body) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(sha256(data));
  });

  it('sets exactly the mode asked, whatever the umask', async () => {
    await client.writeFile('open.sh', Readable.from([Buffer.from('#!/bin/sh\n')]), { mode: 0o777 });
    expect(statSync(join(dir, 'open.sh')).mode & 0o7777).toBe(0o777);
    await client.writeFile('open.sh', Readable.from([Buffer.from('again')])); // replaces, default mode
    expect(statSync(join(dir, 'open.sh')).mode & 0o7777).toBe(0o644);
    expect(readFileSync(join(dir, 'open.sh'), 'utf8')).toBe('again');
  });

  it('reads a file that grows while it is read, up to its end at the time', async () => {
    const path = join(dir, 'growing.log');
    writeFileSync(path, Buffer.alloc(2 * MiB, 1));
    const { entry, body } = await client.readFile(path);
    expect(entry.size).toBe(2 * MiB);
    // The agent has read at most a window so far: what is appended now is still ahead of it.
    appendFileSync(path, Buffer.alloc(MiB, 2));
    const all = Buffer.concat(await body.toArray());
    expect(all.length).toBe(3 * MiB);
    expect(all[all.length - 1]).toBe(2);
  });

  it('removes everything of an upload aborted midway, and leaves the old target alone', async () => {
    writeFileSync(join(dir, 'kept.txt'), 'old');
    const controller = new AbortController();
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled += 256 * 1024;
        if (pulled >= 3 * MiB) controller.abort(new Error('caller gave up'));
        yield Buffer.alloc(256 * 1024, 7);
        await sleep(1);
      }
    }
    await expect(client.writeFile('kept.txt', endless(), { signal: controller.signal })).rejects.toThrow(
      'caller gave up',
    );
    expect(readFileSync(join(dir, 'kept.txt'), 'utf8')).toBe('old');
    expect(temporaries(dir)).toEqual([]);
  });

  it('fails an upload whose source throws with ERR_TRANSFER_ABORTED, leaving no file', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(2 * MiB, 1);
      throw new Error('upstream connection reset');
    }
    const error = await client.writeFile('never.bin', broken()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ERR_TRANSFER_ABORTED',
      message: expect.stringMatching(/connection reset/),
    });
    expect(existsSync(join(dir, 'never.bin'))).toBe(false);
    expect(temporaries(dir)).toEqual([]);
    // An AetherError from the source is passed on as it is.
    async function* refused(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('x');
      throw new AetherError('ERR_BODY_TOO_LARGE', 'too much');
    }
    await expect(client.writeFile('never.bin', refused())).rejects.toMatchObject({
      code: 'ERR_BODY_TOO_LARGE',
    });
    expect(existsSync(join(dir, 'never.bin'))).toBe(false);
  });

  it('removes the temporary file when the connection is cut mid-upload', async () => {
    const socket = connect(agent.socketPath);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(encodeFrame({ type: 'write', id: 'cut', path: 'cut.bin' }));
    socket.write(encodeFrame({ type: 'data', id: 'cut', data: Buffer.alloc(60_000, 3).toString('base64') }));
    await expect.poll(() => temporaries(dir).length, { timeout: 2000 }).toBe(1);
    socket.destroy();
    await expect.poll(() => temporaries(dir), { timeout: 2000 }).toEqual([]);
    expect(existsSync(join(dir, 'cut.bin'))).toBe(false);
  });

  it('kills a command whose host streams stdin past its window, and says why', async () => {
    // `sleep` never reads: after the pipe fills, no credit comes back, so a window and a pipe
    // later the frames are over the limit.
    const socket = connect(agent.socketPath);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const replies: Buffer[] = [];
    socket.on('data', (chunk) => replies.push(chunk));
    socket.write(
      encodeFrame({ type: 'exec', id: 'over', argv: ['sleep', '30'], stdinStream: true, timeoutMs: 60_000 }),
    );
    const chunk = Buffer.alloc(64 * 1024, 1).toString('base64');
    for (let sent = 0; sent <= 2 * INITIAL_WINDOW_BYTES; sent += 64 * 1024) {
      socket.write(encodeFrame({ type: 'data', id: 'over', data: chunk }));
    }
    await expect
      .poll(() => Buffer.concat(replies).toString('latin1'), { timeout: 3000 })
      .toMatch(/"type":"error","id":"over","code":"ERR_AGENT_PROTOCOL"/);
    const pid = Number(
      /"type":"started","id":"over","pid":(\d+)/.exec(Buffer.concat(replies).toString('latin1'))?.[1],
    );
    await expect.poll(() => processAlive(pid), { timeout: 3000 }).toBe(false);
    socket.destroy();
  });

  it('reports a full disk as ERR_VM_DISK_FULL and keeps nothing of the file', async (context) => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'aether-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      rmSync(mountPoint, { recursive: true, force: true });
      console.warn('[skip] ENOSPC test: cannot mount a small tmpfs here (needs root and mount rights)');
      context.skip();
      return;
    }
    try {
      const error = await client
        .writeFile(join(mountPoint, 'huge.bin'), Readable.from([Buffer.alloc(4 * MiB, 9)]))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_VM_DISK_FULL', message: expect.stringContaining(mountPoint) });
      expect(readdirSync(mountPoint)).toEqual([]);
    } finally {
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  it('resolves paths as the guest would, and refuses NUL and overlong ones before sending', async () => {
    await client.writeFile('sub/../up.txt', Readable.from([Buffer.from('up')]));
    expect(readFileSync(join(dir, 'up.txt'), 'utf8')).toBe('up');
    await expect(client.stat('a\0b')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(client.writeFile('x\0y', Readable.from([]))).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await expect(client.readFile('a'.repeat(5000))).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    // Within the protocol's limit but not the file system's (NAME_MAX): the agent's ERR_VALIDATION.
    await expect(client.writeFile('n'.repeat(300), Readable.from([Buffer.from('x')]))).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringContaining('file name too long'),
    });
    expect((await client.ping()).version).toBe('aether-agent/3');
  });

  it('refuses to read a directory or a FIFO, without hanging', async () => {
    await expect(client.readFile('.')).rejects.toMatchObject({ code: 'ERR_IS_A_DIRECTORY' });
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await expect(client.readFile('pipe')).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringContaining(join(dir, 'pipe')),
    });
    mkdirSync(join(dir, 'a-dir'));
    await expect(client.writeFile('a-dir', Readable.from([Buffer.from('x')]))).rejects.toMatchObject({
      code: 'ERR_IS_A_DIRECTORY',
    });
  });

  it('stops the agent when the body is destroyed, and the connection goes on', async () => {
    writeFileSync(join(dir, 'long.bin'), Buffer.alloc(8 * MiB));
    const { body } = await client.readFile('long.bin');
    const first = await new Promise<Buffer>((resolve) => body.once('data', resolve));
    expect(first.length).toBeGreaterThan(0);
    body.destroy();
    expect((await client.ping()).version).toBe('aether-agent/3');
  });

  it('stats, lists, makes, renames, links and removes, with stable error codes', async () => {
    const root = 'ops';
    await client.mkdir(`${root}/a/b`, { parents: true, mode: 0o700 });
    expect(statSync(join(dir, root, 'a/b')).mode & 0o7777).toBe(0o700);
    await client.mkdir(`${root}/a/b`, { parents: true }); // exists: fine with parents
    await expect(client.mkdir(`${root}/a/b`)).rejects.toMatchObject({ code: 'ERR_FILE_EXISTS' });
    await expect(client.mkdir(`${root}/x/y`)).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
    await client.writeFile(`${root}/a/file.txt`, Readable.from([Buffer.from('hello')]));
    await expect(client.mkdir(`${root}/a/file.txt/sub`)).rejects.toMatchObject({
      code: 'ERR_NOT_A_DIRECTORY',
    });

    expect(await client.stat(`${root}/a/file.txt`)).toMatchObject({
      name: 'file.txt',
      type: 'file',
      size: 5,
    });
    await client.symlink(`${root}/a/link`, 'file.txt');
    expect(await client.stat(`${root}/a/link`)).toMatchObject({
      name: 'link',
      type: 'symlink',
      target: 'file.txt',
    });
    await expect(client.symlink(`${root}/a/link`, 'elsewhere')).rejects.toMatchObject({
      code: 'ERR_FILE_EXISTS',
    });
    await expect(client.stat(`${root}/missing`)).rejects.toMatchObject({
      code: 'ERR_FILE_NOT_FOUND',
      message: expect.stringContaining(join(dir, root, 'missing')),
    });

    const listing = await client.list(`${root}/a`);
    expect(listing).toEqual({
      entries: [
        expect.objectContaining({ name: 'b', type: 'directory' }),
        expect.objectContaining({ name: 'file.txt', type: 'file' }),
        expect.objectContaining({ name: 'link', type: 'symlink', target: 'file.txt' }),
      ],
      truncated: false,
    });
    await expect(client.list(`${root}/a/file.txt`)).rejects.toMatchObject({ code: 'ERR_NOT_A_DIRECTORY' });

    await client.rename(`${root}/a/file.txt`, `${root}/a/b/moved.txt`);
    expect(readFileSync(join(dir, root, 'a/b/moved.txt'), 'utf8')).toBe('hello');
    await expect(client.rename(`${root}/nope`, `${root}/x`)).rejects.toMatchObject({
      code: 'ERR_FILE_NOT_FOUND',
    });

    // A link to a directory is removed itself, never what it points to.
    await client.symlink(`${root}/dirlink`, 'a/b');
    await client.remove(`${root}/dirlink`, { recursive: true });
    expect(existsSync(join(dir, root, 'a/b/moved.txt'))).toBe(true);
    await expect(client.remove(`${root}/a`)).rejects.toMatchObject({ code: 'ERR_DIRECTORY_NOT_EMPTY' });
    await expect(client.remove(`${root}/ghost`)).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
    await client.remove(`${root}/a`, { recursive: true });
    expect(existsSync(join(dir, root, 'a'))).toBe(false);
  });

  it('lists recursively without following symlinks, so a link loop ends, directories first', async () => {
    const base = join(dir, 'tree');
    mkdirSync(join(base, 'a/b'), { recursive: true });
    writeFileSync(join(base, 'a/b/leaf'), 'x');
    writeFileSync(join(base, 'z'), 'x');
    symlinkSync('..', join(base, 'a/b/up')); // a loop: a/b/up/b/up/...
    symlinkSync('.', join(base, 'self'));
    const { entries, truncated } = await client.list(base, { recursive: true });
    expect(truncated).toBe(false);
    expect(entries.map((e) => `${e.name}:${e.type}`)).toEqual([
      'a:directory',
      'a/b:directory',
      'a/b/leaf:file',
      'a/b/up:symlink',
      'self:symlink',
      'z:file',
    ]);
  });

  it('caps a listing at MAX_LIST_ENTRIES and says it was truncated', async () => {
    const base = join(dir, 'many');
    mkdirSync(base);
    for (let i = 0; i < 10_050; i++) writeFileSync(join(base, `f${i}`), '');
    const { entries, truncated } = await client.list(base);
    expect(entries.length).toBe(10_000);
    expect(truncated).toBe(true);
  });
});
