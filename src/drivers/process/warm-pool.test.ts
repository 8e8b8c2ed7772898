import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { requireBackend } from '../../../test/support/backends.js';
import { namespacesUnavailable, workingIsolationTools } from '../../../test/support/sandboxes.js';
import {
  hostProcessesMatching,
  pathsNaming,
  sh,
  VmFixtures,
} from '../../testing/conformance/drivers/fixtures.js';
import { createProcessDriver, type ProcessDriver } from './process-driver.js';

const unavailable = namespacesUnavailable();
const available = await requireBackend('process driver', unavailable === null, unavailable ?? '');
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Tokens of the sandboxes recorded under `<stateDir>/<area>`. */
function recordedTokens(stateDir: string, area: 'pool' | 'vms'): string[] {
  const base = join(stateDir, area);
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((name) => {
    try {
      const record = JSON.parse(readFileSync(join(base, name, 'sandbox.json'), 'utf8')) as { token?: string };
      return record.token ? [record.token] : [];
    } catch {
      return [];
    }
  });
}

const processesTagged = (token: string) => hostProcessesMatching(`AETHER_SANDBOX_${token}`);
const poolEntries = (stateDir: string) =>
  existsSync(join(stateDir, 'pool')) ? readdirSync(join(stateDir, 'pool')) : [];

describe.skipIf(!available)('process driver warm pool', () => {
  let stateDir = '';
  let driver: ProcessDriver;
  const vms = new VmFixtures(
    'process-warm-pool',
    () => driver,
    () => stateDir,
  );
  const make = (warmPoolSize: number, dir = stateDir) =>
    createProcessDriver({
      stateDir: dir,
      agentPath: inject('agentBundlePath'),
      bootTimeoutMs: 15_000,
      warmPoolSize,
    });

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aether-warm-pool-'));
    chmodSync(stateDir, 0o711);
    driver = make(2);
    await driver.warmUp();
  });
  afterEach(() => vms.cleanup());
  afterAll(async () => {
    await driver?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Median create+start time of `count` VMs booted without a pool, in a directory of their own. */
  async function coldBootMedian(count: number): Promise<number> {
    const coldDir = mkdtempSync(join(tmpdir(), 'aether-cold-'));
    chmodSync(coldDir, 0o711);
    const cold = make(0, coldDir);
    const times: number[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const id = randomUUID();
        const started = performance.now();
        await cold.create({ id, name: `cold-${i}`, vcpus: 1, memoryMiB: 64 });
        await cold.start(id);
        times.push(performance.now() - started);
        await cold.destroy(id);
      }
    } finally {
      await cold.close();
      rmSync(coldDir, { recursive: true, force: true });
    }
    return median(times);
  }

  it('creates and starts a VM from the pool much faster than a cold boot; exec works and files persist', async () => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      await driver.warmUp();
      const started = performance.now();
      const id = await vms.created(`fast-${i}`);
      await driver.start(id);
      times.push(performance.now() - started);
      expect((await driver.status(id)).state).toBe('running');
      expect((await sh(driver, id, 'echo ok > kept.txt; cat kept.txt')).stdout).toBe('ok\n');
      expect((await sh(driver, id, 'cat kept.txt')).stdout).toBe('ok\n');
    }
    const coldMedian = await coldBootMedian(3);
    console.info(
      `[warm pool] create+start p50 ${median(times).toFixed(1)} ms (${times.map((t) => t.toFixed(1)).join(', ')}); ` +
        `cold boot p50 ${coldMedian.toFixed(1)} ms`,
    );
    // A ratio, not an absolute time: CI machines are noisy, but the pool must save most of a boot.
    expect(median(times)).toBeLessThan(coldMedian / 2);
  });

  it('gives the guest what a fresh boot gives it: hostname, empty home, the same mounts', async () => {
    await driver.warmUp();
    const id = await vms.running('same-guest');
    const probe =
      'cat /proc/sys/kernel/hostname; ls -A "$HOME" | wc -l; awk \'{print $5, $6}\' /proc/self/mountinfo | sort';
    const pooled = await sh(driver, id, probe);
    expect(pooled.stdout).toMatch(/^aether\n0\n/);
    await driver.stop(id);
    await driver.start(id); // boots as without a pool, in the VM's own directory
    expect((await sh(driver, id, probe)).stdout).toBe(pooled.stdout);
    const plainDir = mkdtempSync(join(tmpdir(), 'aether-no-pool-'));
    chmodSync(plainDir, 0o711);
    const plain = make(0, plainDir);
    const plainId = randomUUID();
    try {
      await plain.create({ id: plainId, name: 'plain', vcpus: 1, memoryMiB: 64 });
      await plain.start(plainId);
      expect((await sh(plain, plainId, probe)).stdout).toBe(pooled.stdout);
    } finally {
      await plain.destroy(plainId);
      await plain.close();
      rmSync(plainDir, { recursive: true, force: true });
    }
  });

  it('isolates adopted sibling VMs and never lists pool sandboxes', async () => {
    await driver.warmUp();
    const [a, b] = await Promise.all([vms.running('sibling-a'), vms.running('sibling-b')]);
    await sh(driver, a, 'echo secret > only-in-a.txt; sleep 98764 >/dev/null 2>&1 &');
    const seen = await sh(driver, b, 'ls -a "$HOME"; cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "');
    expect(seen.stdout).not.toContain('only-in-a');
    expect(seen.stdout).not.toContain('98764');
    await driver.warmUp();
    expect(poolEntries(stateDir)).toHaveLength(2);
    expect((await driver.list()).map((vm) => vm.id).sort()).toEqual([a, b].sort());
  });

  it('destroys an adopted VM leaving no process and no file', async () => {
    await driver.warmUp();
    const id = await vms.running('destroy');
    const [token] = recordedTokens(stateDir, 'vms');
    expect(token).toBeDefined();
    expect(processesTagged(token!).length).toBeGreaterThan(0);
    await driver.destroy(id);
    expect((await driver.status(id)).state).toBe('missing');
    expect(processesTagged(token!)).toEqual([]);
    expect(pathsNaming(stateDir, id)).toEqual([]);
  });

  it('kills a sandbox adopted at create when the VM is destroyed before it starts', async () => {
    await driver.warmUp();
    const id = await vms.created('never-started');
    const [token] = recordedTokens(stateDir, 'vms');
    expect(processesTagged(token!).length).toBeGreaterThan(0);
    expect((await driver.list()).find((vm) => vm.id === id)?.state).toBe('created');
    await driver.destroy(id);
    expect(processesTagged(token!)).toEqual([]);
  });

  it('close() kills idle pool sandboxes but keeps VMs running', async () => {
    const ownDir = mkdtempSync(join(tmpdir(), 'aether-pool-close-'));
    chmodSync(ownDir, 0o711);
    const own = make(2, ownDir);
    const id = randomUUID();
    try {
      await own.warmUp();
      await own.create({ id, name: 'kept', vcpus: 1, memoryMiB: 64 });
      await own.start(id);
      await own.warmUp();
      const poolTokens = recordedTokens(ownDir, 'pool');
      expect(poolTokens).toHaveLength(2);
      for (const token of poolTokens) expect(processesTagged(token).length).toBeGreaterThan(0);
      await own.close();
      for (const token of poolTokens) expect(processesTagged(token)).toEqual([]);
      expect(poolEntries(ownDir)).toEqual([]);
      const after = make(0, ownDir);
      try {
        expect((await after.status(id)).state).toBe('running');
        expect((await sh(after, id, 'echo alive')).stdout).toBe('alive\n');
        await after.destroy(id);
      } finally {
        await after.close();
      }
    } finally {
      await own.destroy(id).catch(() => {});
      rmSync(ownDir, { recursive: true, force: true });
    }
  });

  it.each(workingIsolationTools())(
    'dies with its host process when it is killed, while the VM it adopted lives on for a fresh driver (%s)',
    async (isolationTool) => {
      const crashDir = mkdtempSync(join(tmpdir(), 'aether-pool-crash-'));
      chmodSync(crashDir, 0o711);
      const script = join(crashDir, 'crash.mjs');
      // A host process that adopts a pooled sandbox, refills the pool, says so, and waits to be killed.
      writeFileSync(
        script,
        `import { createProcessDriver } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'src/drivers/process/process-driver.ts')).href)};
const [stateDir, agentPath, id, isolationTool] = process.argv.slice(2);
const driver = createProcessDriver({ stateDir, agentPath, isolationTool, bootTimeoutMs: 15000, warmPoolSize: 2 });
await driver.warmUp();
await driver.create({ id, name: 'crash', vcpus: 1, memoryMiB: 64 });
await driver.start(id);
await driver.exec(id, { argv: ['sh', '-c', 'echo before > restart.txt'], timeoutMs: 5000 });
await driver.warmUp();
process.stdout.write('warm\\n');
setInterval(() => {}, 60000);
`,
      );
      const id = randomUUID();
      const fresh = make(0, crashDir);
      const host = spawn(
        process.execPath,
        ['--import', 'tsx', script, crashDir, inject('agentBundlePath'), id, isolationTool],
        {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the host process never filled its pool')), 60_000);
          host.stdout.setEncoding('utf8').on('data', (text: string) => {
            if (!text.includes('warm')) return;
            clearTimeout(timer);
            resolve();
          });
          host.once('exit', (code) => reject(new Error(`the host process exited early (${code})`)));
        });
        const pooled = recordedTokens(crashDir, 'pool');
        const [adopted] = recordedTokens(crashDir, 'vms');
        expect(pooled).toHaveLength(2);
        for (const token of pooled) expect(processesTagged(token).length).toBeGreaterThan(0);
        host.kill('SIGKILL');
        await once(host, 'exit');
        // No sweep runs here: the pool sandboxes end themselves, the VM's does not.
        await expect
          .poll(() => pooled.flatMap(processesTagged), { timeout: 5_000, interval: 50 })
          .toEqual([]);
        expect(processesTagged(adopted!).length).toBeGreaterThan(0);
        expect(await fresh.list()).toEqual([expect.objectContaining({ id, state: 'running' })]);
        expect((await sh(fresh, id, 'cat restart.txt')).stdout).toBe('before\n');
        expect(poolEntries(crashDir)).toEqual([]);
        await fresh.destroy(id);
        expect(pathsNaming(crashDir, id)).toEqual([]);
      } finally {
        if (host.exitCode === null && host.signalCode === null) {
          host.kill('SIGKILL');
          await once(host, 'exit');
        }
        await fresh.destroy(id).catch(() => {});
        await fresh.list().catch(() => {}); // sweeps pool sandboxes left running when this failed
        await fresh.close();
        rmSync(crashDir, { recursive: true, force: true });
      }
    },
  );

  it('rejects a bad warmPoolSize', () => {
    expect(() => make(-1)).toThrow(/warmPoolSize/);
    expect(() => make(1.5)).toThrow(/warmPoolSize/);
  });
});
