/**
 * The conformance cases that move bytes and signals rather than test isolation: guest files as
 * streams, the file verbs and their error codes, streamed stdin, and signals through `onStarted`.
 * The full suite registers them among its cases; `describeDriverStreams` runs them alone, for a
 * stand-in backend (the fake Firecracker) that cannot honour the isolation cases.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RunningCommand } from '../../../core/driver.js';
import { aliveCheck, readBytes, run, sh, sleep, writeBytes } from './fixtures.js';
import { defineDriverPortCases } from './port-cases.js';
import { type DriverSuiteContext, type MakeConformanceDriver, useSuiteDriver } from './suite-driver.js';
import { defineDriverTerminalCases } from './terminal-cases.js';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Registers the stream cases in the current describe block, on the context's driver. */
export function defineDriverStreamCases(ctx: DriverSuiteContext): void {
  const { vms } = ctx;

  it('moves files in and out as streams, byte for byte, with mode and parents', async () => {
    const driver = ctx.driver();
    const id = await vms.running('guest-files');
    const data = randomBytes(3 * MiB);
    // Uneven chunks, as a network source gives them.
    const chunks = [data.subarray(0, 1), data.subarray(1, 100_000), data.subarray(100_000)];
    expect(
      await driver.files.writeFile(id, 'up/nested/data.bin', Readable.from(chunks), { mode: 0o640 }),
    ).toEqual({
      size: data.length,
    });
    const inGuest = await sh(driver, id, 'sha256sum up/nested/data.bin; stat -c %a up/nested/data.bin');
    expect(inGuest.stdout).toBe(`${sha256(data)}  up/nested/data.bin\n640\n`);
    await sh(driver, id, 'head -c 2000000 /dev/zero | tr "\\0" x > made-in-guest.txt');
    const { entry, body } = await driver.files.readFile(id, 'made-in-guest.txt');
    expect(entry).toMatchObject({ name: 'made-in-guest.txt', type: 'file', size: 2_000_000 });
    const read = Buffer.concat(await body.toArray());
    expect(read.equals(Buffer.alloc(2_000_000, 'x'))).toBe(true);
    // Compared whole: a deep equality of MiBs element by element would take minutes.
    expect(sha256(await readBytes(driver.files, id, 'up/nested/data.bin'))).toBe(sha256(data));
  });

  it('stats, lists, makes, renames, links and removes guest files, with stable error codes', async () => {
    const driver = ctx.driver();
    const id = await vms.running('guest-fs');
    const { files } = driver;
    await files.mkdir(id, 'w/a/b', { parents: true });
    await writeBytes(files, id, 'w/a/f.txt', 'hello');
    await files.symlink(id, 'w/a/link', 'f.txt');
    expect(await files.stat(id, 'w/a/f.txt')).toMatchObject({ name: 'f.txt', type: 'file', size: 5 });
    expect(await files.stat(id, 'w/a/link')).toMatchObject({ type: 'symlink', target: 'f.txt' });
    expect(
      (await files.list(id, 'w', { recursive: true })).entries.map((e) => `${e.name}:${e.type}`),
    ).toEqual(['a:directory', 'a/b:directory', 'a/f.txt:file', 'a/link:symlink']);
    await files.rename(id, 'w/a/f.txt', 'w/a/b/g.txt');
    expect((await sh(driver, id, 'cat w/a/b/g.txt; cat w/a/link || echo dangling')).stdout).toBe(
      'hellodangling\n',
    );
    await expect(files.remove(id, 'w/a')).rejects.toMatchObject({ code: 'ERR_DIRECTORY_NOT_EMPTY' });
    await files.remove(id, 'w/a/link');
    await files.remove(id, 'w', { recursive: true });
    expect((await sh(driver, id, 'test -e w || echo gone')).stdout).toBe('gone\n');
    for (const attempt of [
      () => files.readFile(id, 'no/such/file'),
      () => files.stat(id, 'no-such-file'),
      () => files.list(id, 'no-such-dir'),
      () => files.remove(id, 'no-such-file'),
      () => files.rename(id, 'no-such-file', 'elsewhere'),
    ]) {
      expect(await attempt().catch((e: unknown) => e)).toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
    }
    await expect(files.readFile(id, '.')).rejects.toMatchObject({ code: 'ERR_IS_A_DIRECTORY' });
  });

  it('streams stdin to a command with flow control', async () => {
    const driver = ctx.driver();
    const id = await vms.running('stdin-stream');
    const hash = createHash('sha256');
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 8; i++) {
        const chunk = randomBytes(MiB);
        hash.update(chunk);
        yield chunk;
      }
    }
    const r = await run(driver, id, ['sha256sum'], { stdin: source(), timeoutMs: 60_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split(' ')[0]).toBe(hash.digest('hex'));
  });

  it('signals a running command through onStarted, its setsid children too', async () => {
    const driver = ctx.driver();
    const id = await vms.running('signal');
    let command: RunningCommand | null = null;
    const result = await driver.exec(
      id,
      { argv: ['sh', '-c', 'setsid sleep 303 & echo $! > sig.pids; echo ready; wait'], timeoutMs: 30_000 },
      {
        onStarted: (c) => {
          command = c;
        },
        onStdout: (chunk) => {
          if (Buffer.from(chunk).toString().includes('ready')) command?.signal('SIGTERM');
        },
      },
    );
    expect(command!.pid).toBeGreaterThan(0);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
    await sleep(100);
    expect((await sh(driver, id, aliveCheck('sig.pids'))).stdout).toBe('');
  });
}

export interface DriverStreamsOptions {
  /** Set when the backend is unavailable here: the cases are skipped and the reason printed. */
  skipReason?: string | null;
  /** Per-test limit, for drivers whose VMs take long to boot. */
  testTimeoutMs?: number;
}

/** Runs only the stream cases (terminals and port tunnels too) against a driver, in a describe block of their own. */
export function describeDriverStreams(
  name: string,
  makeDriver: MakeConformanceDriver,
  options: DriverStreamsOptions = {},
): void {
  if (options.skipReason) console.warn(`[skip] ${name} driver stream cases: ${options.skipReason}`);
  const limits = options.testTimeoutMs ? { timeout: options.testTimeoutMs } : {};
  describe.skipIf(Boolean(options.skipReason))(`VmDriver streams: ${name}`, limits, () => {
    const ctx = useSuiteDriver(name, makeDriver);
    defineDriverStreamCases(ctx);
    defineDriverTerminalCases(ctx);
    defineDriverPortCases(ctx);
  });
}
