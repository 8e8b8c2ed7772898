import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { requireBackend } from '../../../test/support/backends.js';
import { isRoot, namespacesUnavailable } from '../../../test/support/sandboxes.js';
import { isAetherError } from '../../core/errors.js';
import { describeDriverConformance } from '../../testing/conformance/drivers/driver-suite.js';
import { readBytes, sh, VmFixtures, writeBytes } from '../../testing/conformance/drivers/fixtures.js';
import { isAlive } from '../shared/host-proc.js';
import { copyAgentBundle, hiddenFromOthers } from './host-access.js';
import { createProcessDriver, type ProcessDriver } from './process-driver.js';

const unavailable = namespacesUnavailable();
const available = await requireBackend('process driver', unavailable === null, unavailable ?? '');

describeDriverConformance(
  'process',
  ({ stateDir }) =>
    createProcessDriver({ stateDir, agentPath: inject('agentBundlePath'), bootTimeoutMs: 15_000 }),
  {
    skipReason: available ? null : unavailable,
    sharesHostFiles: true,
    enforcesLimits: isRoot ? 'memory-and-tasks' : undefined,
    pauses: isRoot,
    reportsUsage: isRoot,
  },
);

// The same driver adopting pre-booted sandboxes from a warm pool.
describeDriverConformance(
  'process-pooled',
  ({ stateDir }) =>
    createProcessDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      bootTimeoutMs: 15_000,
      warmPoolSize: 2,
    }),
  {
    skipReason: available ? null : unavailable,
    sharesHostFiles: true,
    enforcesLimits: isRoot ? 'memory-and-tasks' : undefined,
    pauses: isRoot,
    reportsUsage: isRoot,
  },
);

// The same driver over bubblewrap, the path taken where unprivileged user namespaces are restricted.
// CI installs bubblewrap, so there a missing bwrap fails instead of skipping.
const bwrapInstalled = spawnSync('bwrap', ['--version'], { env: { PATH: '/usr/bin:/bin' } }).status === 0;
const bwrapMissing = (await requireBackend(
  'bubblewrap',
  bwrapInstalled,
  'bwrap is not installed (apt-get install bubblewrap)',
))
  ? null
  : 'bwrap is not installed';
describeDriverConformance(
  'process-bwrap',
  ({ stateDir }) =>
    createProcessDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      bootTimeoutMs: 15_000,
      isolationTool: 'bwrap',
    }),
  {
    skipReason: available ? bwrapMissing : unavailable,
    sharesHostFiles: true,
    enforcesLimits: isRoot ? 'memory-and-tasks' : undefined,
    pauses: isRoot,
    reportsUsage: isRoot,
  },
);

describe.skipIf(!available)('process driver specifics', () => {
  let stateDir = '';
  let driver: ProcessDriver;
  const vms = new VmFixtures(
    'process-specifics',
    () => driver,
    () => stateDir,
  );

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'aether-process-'));
    chmodSync(stateDir, 0o711);
    driver = createProcessDriver({ stateDir, agentPath: inject('agentBundlePath'), bootTimeoutMs: 15_000 });
  });
  afterEach(() => vms.cleanup());
  afterAll(async () => {
    await driver?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('says it shares the kernel and names its namespaces', async () => {
    await driver.health();
    expect(driver.isolation).toMatchObject({ level: 'namespaces', kernel: 'shared' });
    expect(driver.isolation.summary).toMatch(/user, PID, mount, IPC, UTS and network namespaces/);
    expect(driver.isolation.summary).toMatch(/kernel bug escapes/);
  });

  it('runs the guest as an unprivileged host user and leaks no host environment', async () => {
    const id = await vms.running('identity');
    const pid = Number(((await driver.status(id)).detail as { pid: number }).pid);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    expect(uid).not.toBe(0);
    if (isRoot) expect(uid).toBe(65534);
    const env = await sh(driver, id, 'env; cat /proc/1/environ | tr "\\0" "\\n"');
    // Names the guest sets itself (agent defaults, the shell's own) may coincide with the host's.
    const guestOwn = ['PATH', 'HOME', 'LANG', 'USER', 'LOGNAME', 'PWD', 'SHLVL', 'OLDPWD', '_'];
    for (const name of Object.keys(process.env).filter((n) => !guestOwn.includes(n))) {
      expect(env.stdout).not.toMatch(new RegExp(`^${name}=`, 'm'));
    }
  });

  it('gives guest root no capabilities, so nothing bound from the host can be remounted writable', async () => {
    const id = await vms.running('caps');
    const caps = await sh(
      driver,
      id,
      'grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status; grep NoNewPrivs /proc/self/status',
    );
    expect(caps.stdout).toMatch(/CapEff:\s+0+\n/);
    expect(caps.stdout).toMatch(/CapBnd:\s+0+\n/);
    expect(caps.stdout).toMatch(/NoNewPrivs:\s+1/);
    const remount = await sh(driver, id, 'mount -o remount,rw,bind /opt/aether/node && echo remounted');
    expect(remount.stdout).toBe('');
  });

  it("shows its own hostname, not the host's", async () => {
    const id = await vms.running('uts');
    expect((await sh(driver, id, 'cat /proc/sys/kernel/hostname')).stdout).toBe('aether\n');
  });

  it('moves files in and out through the agent', async () => {
    const id = await vms.running('files');
    await writeBytes(driver.files, id, 'in/data.bin', Buffer.from([0, 1, 2, 255]), { mode: 0o600 });
    expect(await readBytes(driver.files, id, '/home/user/in/data.bin')).toEqual(Buffer.from([0, 1, 2, 255]));
    expect((await sh(driver, id, 'stat -c %a in/data.bin')).stdout).toBe('600\n');
  });

  it('reaps orphans: no zombies pile up in a long-lived VM', async () => {
    const id = await vms.running('reaper');
    for (let i = 0; i < 5; i++) await sh(driver, id, '(sleep 0.05 &) ; true');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const zombies = await sh(driver, id, "grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null || true");
    expect(zombies.stdout).toBe('');
  });

  it('refuses an agent socket the guest replaced with a symlink to a host socket', async () => {
    const id = await vms.running('symlink');
    const hostSocket = join(stateDir, 'host-service.sock');
    let reached = false;
    const server: Server = createServer((s) => {
      reached = true;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(hostSocket, resolve));
    try {
      await driver.close(); // drop the cached connection so the next exec reconnects
      await sh(
        driver,
        id,
        `rm -f /run/aether/agent.sock && ln -s ${hostSocket} /run/aether/agent.sock`,
      ).catch(() => {});
      await driver.close();
      const error = await sh(driver, id, 'true').catch((e: unknown) => e);
      expect(isAetherError(error, 'ERR_AGENT_UNREACHABLE')).toBe(true);
      expect((error as Error).message).toMatch(/not a socket/);
      expect(reached).toBe(false);
    } finally {
      server.close();
    }
  });

  it('does not trust a recorded pid that now belongs to another process', async () => {
    const id = await vms.created('pid-reuse');
    const dir = join(stateDir, 'vms', id);
    // A live process that is not this VM's sandbox (our own test runner).
    writeFileSync(
      join(dir, 'sandbox.json'),
      JSON.stringify({ pid: process.pid, initPid: null, tool: 'unshare', bootedAt: '' }),
    );
    expect((await driver.status(id)).state).toBe('stopped');
    await driver.stop(id); // must not signal the unrelated process
    await driver.start(id);
    expect((await sh(driver, id, 'echo ok')).stdout).toBe('ok\n');
  });

  it('finds and ends a sandbox whose host died before it recorded the pid', async () => {
    const id = await vms.running('unrecorded-pid');
    const file = join(stateDir, 'vms', id, 'sandbox.json');
    const booted = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; initPid: number };
    // What a host killed between spawning the sandbox and writing its pid leaves on disk.
    writeFileSync(file, JSON.stringify({ ...booted, pid: 0, initPid: null }));
    const restarted = createProcessDriver({ stateDir, agentPath: inject('agentBundlePath') });
    try {
      expect((await restarted.list()).find((info) => info.id === id)?.state).toBe('running');
      await restarted.destroy(id);
      expect(isAlive(booted.pid)).toBe(false);
      expect(isAlive(booted.initPid)).toBe(false);
      expect((await restarted.status(id)).state).toBe('missing');
    } finally {
      await restarted.close();
    }
  });

  it('gives up on a boot that takes too long, leaving no sandbox behind', async () => {
    const impatient = createProcessDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      bootTimeoutMs: 1,
    });
    const id = await vms.created('boot-timeout');
    const error = await impatient.start(id).catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_VM_BOOT_TIMEOUT')).toBe(true);
    expect((await impatient.status(id)).state).not.toBe('running');
    await impatient.close();
  });

  it('validates ids and settings', async () => {
    const error = await driver.status('../../etc').catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_VALIDATION')).toBe(true);
    expect(() => createProcessDriver({ stateDir: 'relative', agentPath: '/x' })).toThrow(/absolute/);
  });

  it('reports a missing agent bundle as a configuration error, not an isolation failure', async () => {
    const misconfigured = createProcessDriver({ stateDir, agentPath: join(stateDir, 'missing-agent.js') });
    const error = await misconfigured
      .create({ id: 'no-agent', name: 'x', vcpus: 1, memoryMiB: 64 })
      .catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(/build:agent/);
  });

  it.skipIf(!isRoot)('refuses a state dir the sandbox uid cannot reach, naming the directory', async () => {
    const locked = mkdtempSync(join(tmpdir(), 'aether-locked-')); // 0700, owned by root
    try {
      const misconfigured = createProcessDriver({
        stateDir: join(locked, 'state'),
        agentPath: inject('agentBundlePath'),
      });
      const error = await misconfigured
        .create({ id: 'unreachable', name: 'x', vcpus: 1, memoryMiB: 64 })
        .catch((e: unknown) => e);
      expect(isAetherError(error, 'ERR_CONFIG')).toBe(true);
      expect((error as Error).message).toContain(`chmod o+x ${locked}`);
    } finally {
      rmSync(locked, { recursive: true, force: true });
    }
  });

  it.skipIf(!isRoot)(
    'gives its tests an agent bundle the sandbox uid can read, wherever the checkout is',
    () => {
      expect(hiddenFromOthers(inject('agentBundlePath'), { read: true })).toBe(false);
    },
  );

  it.skipIf(!isRoot)('boots from a private checkout once the agent bundle is copied out of it', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'aether-private-checkout-')); // 0700, as /root is
    const shared = mkdtempSync(join(tmpdir(), 'aether-shared-agent-'));
    chmodSync(shared, 0o711); // as /var/lib is
    const privateBundle = join(checkout, 'agent.js');
    copyFileSync(inject('agentBundlePath'), privateBundle);
    const id = randomUUID();
    const refused = createProcessDriver({ stateDir, agentPath: privateBundle });
    const copied = createProcessDriver({
      stateDir,
      agentPath: copyAgentBundle(privateBundle, join(shared, 'agent')),
      bootTimeoutMs: 15_000,
    });
    try {
      expect(hiddenFromOthers(privateBundle, { read: true })).toBe(true);
      const error = await refused
        .create({ id, name: 'private', vcpus: 1, memoryMiB: 64 })
        .catch((e: unknown) => e);
      expect(isAetherError(error, 'ERR_CONFIG')).toBe(true);
      expect((error as Error).message).toContain(`${checkout} is not searchable`);
      await copied.create({ id, name: 'private', vcpus: 1, memoryMiB: 64 });
      await copied.start(id);
      expect((await sh(copied, id, 'echo ok')).stdout).toBe('ok\n');
    } finally {
      await copied.destroy(id).catch(() => {});
      await Promise.all([refused.close(), copied.close()]);
      rmSync(checkout, { recursive: true, force: true });
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('never runs without isolation: a missing tool is ERR_ISOLATION_UNAVAILABLE naming the fix', async () => {
    const broken = createProcessDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      isolationTool: 'bwrap',
      bwrapCommand: '/nonexistent/bwrap',
    });
    const error = await broken
      .create({ id: 'no-isolation', name: 'x', vcpus: 1, memoryMiB: 64 })
      .catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_ISOLATION_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/bubblewrap/);
    expect((await broken.health()).ok).toBe(false);
    expect(() => statSync(join(stateDir, 'vms', 'no-isolation'))).toThrow();
  });
});
