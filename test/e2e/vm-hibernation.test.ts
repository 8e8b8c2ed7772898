/**
 * Hibernation and `on_expiry: pause` through the whole platform. On qemu a VM whose lifetime
 * runs out is hibernated (its memory on disk, no QEMU left), stays so across a restart of its
 * node, and wakes on resume with its processes and a fresh lifetime; `vm pause --hibernate` does
 * the same by hand. On the process driver, whose VMs cannot give their memory back, the expiry
 * freezes the VM instead, and asking for hibernation is refused with a 400 naming the drivers
 * that can.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AetherClient, Vm } from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { IMAGE_DATA_DIR, qemuAvailable } from '../support/backends.js';
import { startTestNode, type TestNode, useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { isRoot, sandboxesAvailable } from '../support/sandboxes.js';

const qemu = await qemuAvailable();
// Freezing a process-driver VM takes its cgroups, which a root worker has.
const processPauses = (await sandboxesAvailable('VM hibernation (process driver)')) && isRoot;
if (!isRoot)
  console.warn('[skip] on_expiry pause on the process driver: it pauses VMs only as root (cgroups)');

const COUNTER =
  "setsid sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.2; done' </dev/null >/dev/null 2>&1 &";

async function run(client: AetherClient, vm: string, script: string): Promise<string> {
  const done = await client.execute(vm, { command: 'sh', args: ['-c', script] }, { wait: true });
  expect(done.execution, JSON.stringify(done.execution)).toMatchObject({ exit_code: 0 });
  return done.execution!.stdout.trim();
}

async function waitForStatus(
  client: AetherClient,
  vm: string,
  status: string,
  timeoutMs: number,
): Promise<Vm> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await client.getVm(vm);
    if (now.status === status) return now;
    if (Date.now() > deadline)
      throw new Error(`VM ${vm} is ${now.status}, not ${status}, after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Host processes whose command line names the VM (its QEMU runs as `aether-<id>`). */
function qemuProcessesOf(vmId: string): string {
  try {
    return execFileSync('pgrep', ['-af', `aether-${vmId}`], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

describe.skipIf(!qemu)('hibernation on qemu', { timeout: 600_000 }, () => {
  const env = {
    AETHER_DRIVERS: 'process,qemu',
    AETHER_IMAGE_DIR: IMAGE_DATA_DIR,
    AETHER_CREATE_TIMEOUT_MS: '300000',
  };

  it('hibernates a VM at its ttl, keeps it so across a node restart, and wakes it with its processes and a fresh lifetime', async () => {
    const first = await startTestNode(env);
    const dataDir = first.dataDir;
    let second: TestNode | null = null;
    try {
      const made = await first.client.createVm(
        { name: 'sleepy', driver: 'qemu', ttl_seconds: 20, on_expiry: 'pause' },
        { wait: true },
      );
      expect(made.vm).toMatchObject({ on_expiry: 'pause', hibernated_at: null });
      await run(first.client, 'sleepy', `echo kept > /root/note; ${COUNTER}`);
      expect(qemuProcessesOf(made.vm.id)).not.toBe('');

      const paused = await waitForStatus(first.client, 'sleepy', 'paused', 120_000);
      expect(paused.status_reason).toMatch(/^ttl: lifetime of 20s reached; hibernated/);
      expect(paused.hibernated_at).not.toBeNull();
      expect(qemuProcessesOf(made.vm.id)).toBe('');
      // Paused by its expiry: no further deadline ends it.
      await sleep(2_000);
      expect((await first.client.getVm('sleepy')).status).toBe('paused');

      await first.node.close();
      second = await startTestNode(env, dataDir);
      await sleep(1_500);
      expect((await second.client.getVm('sleepy')).status).toBe('paused');

      const woke = await second.client.resumeVm('sleepy', { wait: true });
      expect(woke.vm).toMatchObject({ status: 'running', hibernated_at: null });
      expect(Date.parse(woke.vm.expires_at!)).toBeGreaterThan(Date.now() + 10_000);
      expect(await run(second.client, 'sleepy', 'cat /root/note')).toBe('kept');
      const counted = Number(await run(second.client, 'sleepy', 'cat /tmp/counter'));
      expect(Number(await run(second.client, 'sleepy', 'sleep 1.5; cat /tmp/counter'))).toBeGreaterThan(
        counted,
      );
      const guestNow = Number(await run(second.client, 'sleepy', 'date +%s'));
      expect(Math.abs(guestNow - Date.now() / 1000)).toBeLessThan(5);
    } finally {
      if (second) await second.stop();
      else {
        await first.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  });

  it('is `aether vm pause --hibernate` by hand; `vm get` says so; a stop keeps what the guest wrote', async () => {
    const node = await startTestNode(env);
    try {
      const made = await node.client.createVm({ name: 'by-hand', driver: 'qemu' }, { wait: true });
      await run(node.client, 'by-hand', 'echo written > /root/unsynced');
      const cli = (...args: string[]) => runCli(node.url, args);

      const paused = await cli('vm', 'pause', 'by-hand', '--hibernate', '--json');
      expect(paused.code, paused.stderr).toBe(0);
      expect(JSON.parse(paused.stdout).vm).toMatchObject({ status: 'paused' });
      expect(qemuProcessesOf(made.vm.id)).toBe('');
      const shown = await cli('vm', 'get', 'by-hand');
      expect(shown.stdout).toMatch(/hibernated\s+\S+ \(its memory is on disk; resume wakes it\)/);

      // A stop of a hibernated VM wakes it to shut it down: the file it had not synced survives.
      expect((await node.client.stopVm('by-hand', { wait: true })).vm.status).toBe('stopped');
      expect((await node.client.getVm('by-hand')).hibernated_at).toBeNull();
      await node.client.startVm('by-hand', { wait: true });
      expect(await run(node.client, 'by-hand', 'cat /root/unsynced')).toBe('written');
    } finally {
      await node.stop();
    }
  });
});

describe.skipIf(!processPauses)('on_expiry pause on the process driver', () => {
  const node = useTestNode(processPauses, {});

  it('freezes an idle VM (no hibernation there) and leaves it paused; resume starts its idle clock again', async () => {
    const client = node().client;
    await client.createVm({ name: 'frozen', idle_timeout_seconds: 2, on_expiry: 'pause' }, { wait: true });
    await run(client, 'frozen', 'echo kept > note');
    const paused = await waitForStatus(client, 'frozen', 'paused', 15_000);
    expect(paused).toMatchObject({ status_reason: 'idle: no activity for 2s', hibernated_at: null });
    await sleep(3_000);
    expect((await client.getVm('frozen')).status).toBe('paused');
    const woke = await client.resumeVm('frozen', { wait: true });
    expect(Date.parse(woke.vm.idle_expires_at!)).toBeGreaterThan(Date.now());
    expect(await run(client, 'frozen', 'cat note')).toBe('kept');
    // Idle again: paused again, by the same rule.
    expect((await waitForStatus(client, 'frozen', 'paused', 15_000)).status_reason).toBe(
      'idle: no activity for 2s',
    );
  }, 60_000);

  it('refuses to hibernate a VM whose driver cannot, naming the drivers that can', async () => {
    const client = node().client;
    await client.createVm({ name: 'no-hibernation' }, { wait: true });
    const error = await apiError(client.pauseVm('no-hibernation', { hibernate: true }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('ERR_VALIDATION');
    expect(error.message).toMatch(/hibernation needs the .*qemu.* driver/);
    expect((await client.getVm('no-hibernation')).status).toBe('running');
  });
});
