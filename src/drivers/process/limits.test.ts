/**
 * The process driver holds each VM to its size: memory without swap (a command past it is killed
 * with ERR_VM_OUT_OF_MEMORY and the VM lives on), a task count, a CPU quota, a bounded /tmp and a
 * home of its own size; a host that cannot enforce that refuses VMs unless limits are off.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { requireBackend } from '../../../test/support/backends.js';
import { isRoot, namespacesUnavailable } from '../../../test/support/sandboxes.js';
import { isAetherError } from '../../core/errors.js';
import { ALLOCATE_512_MIB, sh, sleep, VmFixtures } from '../../testing/conformance/drivers/fixtures.js';
import { detectCgroupHost } from './limits/cgroup-host.js';
import { SandboxCgroup } from './limits/sandbox-cgroup.js';
import { createProcessDriver, type ProcessDriver } from './process-driver.js';
import { VmDir } from './vm-dir.js';

const unavailable = namespacesUnavailable() ?? (isRoot ? null : 'limits are enforced only by a root worker');
const host = isRoot ? detectCgroupHost() : null;
const noCgroups = host && host.version === null ? host.reason : null;
const available = await requireBackend(
  'process driver limits (root, cgroups)',
  unavailable === null && noCgroups === null,
  unavailable ?? noCgroups ?? '',
);

describe.skipIf(!available)('process driver limits', () => {
  let stateDir = '';
  let driver: ProcessDriver;
  const vms = new VmFixtures(
    'process-limits',
    () => driver,
    () => stateDir,
  );

  /** A driver on `stateDir` with small limits; the restart case makes a second one on the same dir. */
  const makeDriver = () =>
    createProcessDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      bootTimeoutMs: 15_000,
      pidsLimit: 128,
      tmpSizeMiB: 16,
      homeSizeMiB: 64,
    });

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'aether-limits-'));
    chmodSync(stateDir, 0o711);
    driver = makeDriver();
  });
  afterEach(() => vms.cleanup());
  afterAll(async () => {
    await driver?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** The VM's sandbox cgroup directory for `controller` (v1) or its one directory (v2). */
  async function cgroupDir(id: string, controller: 'memory' | 'pids' | 'cpu'): Promise<string> {
    const record = (await new VmDir(stateDir, id).readSandbox())?.cgroup;
    if (!record) throw new Error('the sandbox has no cgroup');
    return record.version === 2 ? record.dir : record[controller];
  }

  it('says every limit is enforced, and how', async () => {
    await driver.health();
    expect(driver.isolation.limits).toMatchObject({ enforced: true, pids: 128, tmpMiB: 16, diskMiB: 64 });
    expect(driver.isolation.limits?.mechanism).toMatch(/^cgroup v[12]: memory without swap/);
    expect(driver.isolation.summary).toMatch(/Held to its vcpus and memory/);
  });

  it('kills a command that allocates past the memory limit with ERR_VM_OUT_OF_MEMORY; the VM lives on', async () => {
    const id = await vms.running('oom');
    const error = await sh(driver, id, ALLOCATE_512_MIB, {
      timeoutMs: 60_000,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAetherError(error, 'ERR_VM_OUT_OF_MEMORY')).toBe(true);
    expect((error as Error).message).toMatch(/256 MiB/);
    expect((await sh(driver, id, 'echo alive')).stdout).toBe('alive\n');
    // No swap: the limit is memory + swap on v1, swap.max 0 on v2.
    const memory = await cgroupDir(id, 'memory');
    const swapFile = join(memory, 'memory.memsw.limit_in_bytes');
    const v2Swap = join(memory, 'memory.swap.max');
    const swap = [swapFile, v2Swap].map((f) => {
      try {
        return readFileSync(f, 'utf8').trim();
      } catch {
        return null;
      }
    });
    expect(swap.some((v) => v === String(256 * 1024 * 1024) || v === '0')).toBe(true);
  });

  it('says oom_killed, not sandbox_exited, when the OOM killer ends the agent itself', async () => {
    const id = await vms.running('oom-agent');
    // A command's OOM kill first: counted as the command's, it must not make the later death one.
    await sh(driver, id, ALLOCATE_512_MIB, { timeoutMs: 60_000 }).catch(() => {});
    // The guest's root may raise the agent's own badness: the kernel then takes the agent.
    await sh(
      driver,
      id,
      `for p in /proc/[0-9]*; do [ $p = /proc/$$ ] || ! grep -q agent.mjs $p/cmdline 2>/dev/null || echo 1000 > $p/oom_score_adj; done; ${ALLOCATE_512_MIB}`,
      { timeoutMs: 60_000 },
    ).catch(() => {});
    // As the health check does, look again: the agent dies a moment before its sandbox's init.
    let probe = await driver.probe!(id, { timeoutMs: 2_000 });
    for (let tries = 0; tries < 20 && (probe.alive || probe.reason === 'agent_exited'); tries++) {
      await sleep(250);
      probe = await driver.probe!(id, { timeoutMs: 2_000 });
    }
    expect(probe).toMatchObject({ alive: false, reason: 'oom_killed' });
  });

  it("does not take a command's earlier OOM kill for the sandbox's death after a restart of the driver", async () => {
    const id = await vms.running('oom-restart');
    const killed = await sh(driver, id, ALLOCATE_512_MIB, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(isAetherError(killed, 'ERR_VM_OUT_OF_MEMORY')).toBe(true);
    // A new driver on the same state dir, as a restarted worker has; then the sandbox is killed
    // from the host, which is no out-of-memory death.
    await driver.close();
    driver = makeDriver();
    const record = await new VmDir(stateDir, id).readSandbox();
    process.kill(record!.pid, 'SIGKILL');
    let probe = await driver.probe!(id, { timeoutMs: 2_000 });
    for (let tries = 0; tries < 20 && (probe.alive || probe.reason === 'agent_exited'); tries++) {
      await sleep(250);
      probe = await driver.probe!(id, { timeoutMs: 2_000 });
    }
    expect(probe).toMatchObject({ alive: false, reason: 'sandbox_exited' });
  });

  it('stops 3,000 background processes at the pids limit, and the VM lives on', async () => {
    const id = await vms.running('pids');
    const pids = await cgroupDir(id, 'pids');
    const started = await sh(
      driver,
      id,
      'i=0; while [ $i -lt 3000 ]; do sleep 2 & i=$((i+1)); done 2>/dev/null; echo done',
      { timeoutMs: 30_000 },
    ).catch((e: unknown) => e);
    // The shell may end on its first failed fork, or go on: either way it ran into the limit.
    const peak = Number(readFileSync(join(pids, 'pids.max'), 'utf8').trim());
    expect(peak).toBe(128);
    const events = readFileSync(join(pids, 'pids.events'), 'utf8');
    expect(Number(/max (\d+)/.exec(events)?.[1])).toBeGreaterThan(0);
    expect(started).toBeDefined();
    // Once the sleeps end the VM runs commands again.
    let answer = '';
    for (let tries = 0; tries < 40 && answer !== 'alive\n'; tries++) {
      answer = await sh(driver, id, 'echo alive').then(
        (r) => r.stdout,
        () => '',
      );
      if (answer !== 'alive\n') await sleep(250);
    }
    expect(answer).toBe('alive\n');
    expect((await driver.status(id)).state).toBe('running');
  });

  it('bounds /tmp and the home: writing past either fails with ENOSPC in the guest', async () => {
    const id = await vms.running('disk');
    const tmp = await sh(
      driver,
      id,
      'head -c 32M /dev/zero > /tmp/big; echo "exit $?"; df -m /tmp | tail -1',
    );
    expect(tmp.stdout).toMatch(/exit 1/);
    expect(tmp.stderr).toMatch(/No space left on device/);
    const home = await sh(
      driver,
      id,
      'head -c 100M /dev/zero > big; echo "exit $?"; rm -f big; echo ok > small; cat small',
    );
    expect(home.stdout).toMatch(/exit 1\nok\n/);
    expect(home.stderr).toMatch(/No space left on device/);
    // The guest sees a home of its own size and nothing of the filesystem's own bookkeeping.
    const listing = await sh(driver, id, 'ls -A; df -m . | tail -1');
    expect(listing.stdout).not.toMatch(/lost\+found/);
    expect(Number(listing.stdout.trim().split(/\s+/).at(-5))).toBeLessThanOrEqual(64);
  });

  it('holds the VM to its vcpus: two busy loops get about one CPU', async () => {
    const id = await vms.running('cpu');
    const cpu = await cgroupDir(id, 'cpu');
    const quota = readFileSync(join(cpu, host?.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us'), 'utf8');
    expect(quota.trim().split(' ')[0]).toBe('100000');
    const record = (await new VmDir(stateDir, id).readSandbox())!.cgroup!;
    const before = await new SandboxCgroup(record).usage();
    const loops = await sh(
      driver,
      id,
      'timeout 2 sh -c "while :; do :; done" & timeout 2 sh -c "while :; do :; done" & wait; echo done',
    );
    expect(loops.stdout).toBe('done\n');
    const after = await new SandboxCgroup(record).usage();
    // Two loops for 2 s would take ~4 CPU seconds on two free cores; one vCPU gives at most ~2.
    if (record.version === 2 || record.cpuacct)
      expect(after.cpuSeconds - before.cpuSeconds).toBeLessThan(2.6);
    expect(after.cpuSeconds - before.cpuSeconds).toBeGreaterThanOrEqual(0);
  });

  it('keeps files of the home volume across stop and start, and unmounts it at destroy', async () => {
    const id = await vms.running('volume');
    await sh(driver, id, 'echo kept > note');
    await driver.stop(id);
    await driver.start(id);
    expect((await sh(driver, id, 'cat note')).stdout).toBe('kept\n');
    const home = new VmDir(stateDir, id).home;
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` ${home} `);
    await driver.destroy(id);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${home} `);
  });
});

describe.skipIf(!available)('process driver on a host that cannot enforce limits', () => {
  let stateDir = '';
  const drivers: ProcessDriver[] = [];
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'aether-nolimits-'));
    chmodSync(stateDir, 0o711);
  });
  afterAll(async () => {
    for (const d of drivers) await d.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const make = (limits: 'on' | 'off') => {
    const driver = createProcessDriver(
      { stateDir, agentPath: inject('agentBundlePath'), bootTimeoutMs: 15_000, limits },
      {
        detectCgroups: () => ({ version: null, reason: 'no cgroup hierarchy offers the memory controller' }),
      },
    );
    drivers.push(driver);
    return driver;
  };

  it('refuses VMs, saying why and how to run without limits', async () => {
    const driver = make('on');
    const error = await driver
      .create({ id: randomUUID(), name: 'refused', vcpus: 1, memoryMiB: 256 })
      .catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_ISOLATION_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(
      /cannot enforce VM limits \(no cgroup hierarchy offers the memory/,
    );
    expect((error as Error).message).toMatch(/process\.limits: off \(AETHER_PROCESS_LIMITS=off\)/);
    expect(driver.isolation.limits).toMatchObject({ enforced: false });
    expect(driver.isolation.limits?.mechanism).toMatch(/not available/);
  });

  it('runs VMs without limits when configured off, and says so', async () => {
    const driver = make('off');
    const id = randomUUID();
    await driver.create({ id, name: 'unlimited', vcpus: 1, memoryMiB: 256 });
    await driver.start(id);
    expect((await sh(driver, id, 'echo hi')).stdout).toBe('hi\n');
    expect(driver.isolation.limits).toMatchObject({
      enforced: false,
      pids: null,
      tmpMiB: null,
      diskMiB: null,
    });
    expect(driver.isolation.summary).toMatch(/No resource limits/);
    expect((await new VmDir(stateDir, id).readSandbox())?.cgroup).toBeNull();
    await driver.destroy(id);
  });
});
