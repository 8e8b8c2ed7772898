/**
 * The qemu warm pool on real QEMU: a template boot, one member restored from it, a create that
 * adopts the member, and the pool's cleanup. Under software emulation the template's boot takes
 * tens of seconds here, so one driver serves every case.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_DATA_DIR, qemuAvailable } from '../../../test/support/backends.js';
import type { VmSpec } from '../../core/driver.js';
import { findVmImage } from '../../images/index.js';
import { cmdline } from '../shared/host-proc.js';
import { createQemuDriver, type QemuDriver } from './qemu-driver.js';

const available = await qemuAvailable();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function run(driver: QemuDriver, id: string, argv: string[]): Promise<string> {
  let out = '';
  const result = await driver.exec(
    id,
    { argv, timeoutMs: 30_000 },
    {
      onStdout: (chunk) => {
        out += new TextDecoder().decode(chunk);
      },
    },
  );
  expect(result.exitCode, `${argv.join(' ')} in ${id}: ${out}`).toBe(0);
  return out.trim();
}

/** Pids of the QEMU whose `-name` is `aether-<id>`. */
function qemusNamed(id: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => cmdline(pid)?.includes(`aether-${id}`) ?? false);
}

/** Pids of QEMU processes started for pool members or templates of this state dir. */
function poolQemus(stateDir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const argv = cmdline(pid);
      return argv?.some((arg) => arg.startsWith(path.join(stateDir, 'pool'))) ?? false;
    });
}

describe.skipIf(!available)('qemu warm pool', { timeout: 600_000 }, () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'aqp-'));
  const settings = {
    stateDir,
    image: () => findVmImage(IMAGE_DATA_DIR),
    bootTimeoutMs: 180_000,
    warmPool: { size: 1 },
  };
  let driver: QemuDriver;
  const spec = (id: string, name: string, more: Partial<VmSpec> = {}): VmSpec => ({
    id,
    name,
    vcpus: 1,
    memoryMiB: 256,
    ...more,
  });
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    // A member a crashed process left: its owner's pid is gone, so the pool sweeps it away.
    const leftover = path.join(stateDir, 'pool', 'pdeadbeefdeadbeef');
    mkdirSync(leftover, { recursive: true });
    writeFileSync(
      path.join(leftover, 'owner'),
      JSON.stringify({ pid: 2 ** 22 + 7, start: '1', instance: 'x' }),
    );
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(leftover, old, old);

    driver = createQemuDriver(settings);
    const started = performance.now();
    await driver.warmUp();
    timings.templateAndFirstMemberMs = Math.round(performance.now() - started);
  }, 400_000);

  afterAll(async () => {
    console.log(`[qemu warm pool] timings: ${JSON.stringify(timings)}`);
    for (const id of ['adopted', 'cold']) await driver?.destroy(id).catch(() => {});
    await driver?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('restores members from a template snapshot of the image and sweeps what a dead driver left', () => {
    const templates = readdirSync(path.join(stateDir, 'snapshots'));
    expect(templates).toHaveLength(1);
    expect(templates[0]).toMatch(/^pool-[0-9a-f]+-1c256m$/);
    const members = readdirSync(path.join(stateDir, 'pool'));
    expect(members).toHaveLength(1);
    expect(members[0]).toMatch(/^p[0-9a-f]{16}$/);
    expect(poolQemus(stateDir)).toHaveLength(1);
  });

  it('a create of the pool shape adopts a member: running at once, with its own name and clock', async () => {
    const started = performance.now();
    await driver.create(spec('adopted', 'quick'));
    await driver.start('adopted');
    await run(driver, 'adopted', ['true']);
    timings.adoptedCreateToFirstExecMs = Math.round(performance.now() - started);
    expect(timings.adoptedCreateToFirstExecMs).toBeLessThan(5_000);

    expect(await run(driver, 'adopted', ['hostname'])).toBe('quick');
    const guestNow = Number(await run(driver, 'adopted', ['date', '+%s']));
    expect(Math.abs(guestNow - Date.now() / 1000)).toBeLessThan(5);
    await run(driver, 'adopted', ['sh', '-c', 'echo mine > /root/f']);
    expect(await run(driver, 'adopted', ['cat', '/root/f'])).toBe('mine');
    expect(await driver.status('adopted')).toMatchObject({ state: 'running' });
    expect((await driver.list()).map((vm) => vm.id)).toEqual(['adopted']);

    // The pool fills up again behind it.
    await driver.warmUp();
    expect(readdirSync(path.join(stateDir, 'pool'))).toHaveLength(1);
  });

  it('an adopted VM stops, boots again as itself, and is destroyed like any other', async () => {
    await driver.stop('adopted', { graceMs: 2_000 });
    expect(await driver.status('adopted')).toMatchObject({ state: 'stopped' });
    await driver.start('adopted');
    expect(await run(driver, 'adopted', ['cat', '/root/f'])).toBe('mine');
    await driver.destroy('adopted');
    expect(await driver.status('adopted')).toMatchObject({ state: 'missing' });
  });

  it('a create of another shape boots as usual and leaves the pool alone', async () => {
    await driver.create(spec('cold', 'cold', { memoryMiB: 320 }));
    expect(readdirSync(path.join(stateDir, 'pool'))).toHaveLength(1);
    expect(await driver.status('cold')).toMatchObject({ state: 'created' });
    await driver.destroy('cold');
  });

  it('members die with a host process killed with SIGKILL; the VM it adopted one for lives on', async () => {
    // Another host process over the same state dir (the template is there already): it adopts a
    // member for a VM, restores the next one, says so, and waits to be killed.
    const script = path.join(stateDir, 'host.mjs');
    const src = (file: string) => JSON.stringify(pathToFileURL(path.join(repoRoot, file)).href);
    writeFileSync(
      script,
      `import { createQemuDriver } from ${src('src/drivers/qemu/qemu-driver.ts')};
import { findVmImage } from ${src('src/images/index.ts')};
const [stateDir, imageDir] = process.argv.slice(2);
const driver = createQemuDriver({ stateDir, image: () => findVmImage(imageDir), bootTimeoutMs: 180000, warmPool: { size: 1 } });
await driver.warmUp();
await driver.create({ id: 'survivor', name: 'survivor', vcpus: 1, memoryMiB: 256 });
await driver.start('survivor');
await driver.warmUp();
process.stdout.write('warm\\n');
setInterval(() => {}, 60000);
`,
    );
    const ours = new Set(readdirSync(path.join(stateDir, 'pool')));
    const host = spawn(process.execPath, ['--import', 'tsx', script, stateDir, IMAGE_DATA_DIR], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let theirs: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the other host never filled its pool')), 120_000);
        host.stdout.setEncoding('utf8').on('data', (text: string) => {
          if (!text.includes('warm')) return;
          clearTimeout(timer);
          resolve();
        });
        host.once('exit', (code) => reject(new Error(`the other host exited early (${code})`)));
      });
      theirs = readdirSync(path.join(stateDir, 'pool')).filter((id) => !ours.has(id));
      expect(theirs).toHaveLength(1);
      expect(theirs.flatMap(qemusNamed)).toHaveLength(1);
      host.kill('SIGKILL');
      await once(host, 'exit');
      // No sweep runs here: the member's QEMU is ended by its watcher, the VM's is not.
      await expect.poll(() => theirs.flatMap(qemusNamed), { timeout: 5_000, interval: 50 }).toEqual([]);
      expect(await driver.status('survivor')).toMatchObject({ state: 'running' });
      expect(await run(driver, 'survivor', ['hostname'])).toBe('survivor');
      expect([...ours].flatMap(qemusNamed)).toHaveLength(1); // our own member, untouched
    } finally {
      if (host.exitCode === null && host.signalCode === null) {
        host.kill('SIGKILL');
        await once(host, 'exit');
      }
      for (const pid of theirs.flatMap(qemusNamed)) process.kill(pid, 'SIGKILL');
      for (const id of theirs) rmSync(path.join(stateDir, 'pool', id), { recursive: true, force: true });
      await driver.destroy('survivor').catch(() => {});
    }
  });

  it('close() kills and removes the members', async () => {
    await driver.close();
    expect(poolQemus(stateDir)).toEqual([]);
    expect(existsSync(path.join(stateDir, 'pool')) ? readdirSync(path.join(stateDir, 'pool')) : []).toEqual(
      [],
    );
  });
});
