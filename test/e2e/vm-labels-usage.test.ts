/**
 * Labels and usage on a real `aether up` with the process driver: labels kept, shown and
 * filtered through the API and the CLI; usage read from the VM's cgroups as it works; per-VM
 * series on /metrics when switched on.
 */

import type { VmUsage } from '@aetherium/sdk';
import { AetherClient } from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('VM labels and usage');

const node = useTestNode(canRun, { AETHER_METRICS_PER_VM: 'true' });

/** Polls usage until `done` holds (the kernel's counters move as the command runs). */
async function usageUntil(
  client: AetherClient,
  vm: string,
  done: (usage: VmUsage) => boolean,
  timeoutMs = 20_000,
): Promise<VmUsage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const usage = await client.getVmUsage(vm);
    if (done(usage) || Date.now() > deadline) return usage;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!canRun)('VM labels', () => {
  it('are kept, returned and filtered by (every label asked for) through the API', async () => {
    const client = node().client;
    await client.createVm({ name: 'lab-a', labels: { team: 'a', env: 'ci' } });
    await client.createVm({ name: 'lab-b', labels: { team: 'a', env: 'prod' } });
    await client.createVm({ name: 'lab-c' });
    expect((await client.getVm('lab-a')).labels).toEqual({ team: 'a', env: 'ci' });
    expect((await client.getVm('lab-c')).labels).toEqual({});

    const names = async (labels: string[]) => (await client.listVms({ labels })).map((vm) => vm.name).sort();
    expect(await names(['team=a'])).toEqual(['lab-a', 'lab-b']);
    expect(await names(['team=a', 'env=ci'])).toEqual(['lab-a']);
    expect(await names(['team=b'])).toEqual([]);
  }, 60_000);

  it('refuses bad labels with 400 ERR_VALIDATION naming the label', async () => {
    const client = node().client;
    const badKey = await apiError(client.createVm({ name: 'lab-bad', labels: { 'Team!': 'a' } }));
    expect(badKey).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(badKey.message).toContain('Team!');
    const badValue = await apiError(client.createVm({ name: 'lab-bad', labels: { team: 'a b' } }));
    expect(badValue).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(badValue.message).toContain('team');
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    expect(await apiError(client.createVm({ name: 'lab-bad', labels: many }))).toMatchObject({
      status: 400,
      code: 'ERR_VALIDATION',
    });
    const badFilter = await apiError(client.listVms({ labels: ['team'] }));
    expect(badFilter).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(badFilter.message).toContain('key=value');
    // Nothing was made by the refused creates.
    expect((await client.listVms()).some((vm) => vm.name === 'lab-bad')).toBe(false);
  });

  it('are `aether vm create --label` and `vm ls --label`, shown by `vm get`', async () => {
    const aether = (...args: string[]) => runCli(node().url, args);
    const made = await aether(
      'vm',
      'create',
      'lab-cli',
      '--no-wait',
      '--label',
      'team=cli',
      '--label',
      'env=ci',
    );
    expect(made.code, made.stderr).toBe(0);
    const listed = await aether('vm', 'ls', '--label', 'team=cli', '--label', 'env=ci', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((vm) => vm.name)).toEqual(['lab-cli']);
    const none = await aether('vm', 'ls', '--label', 'team=cli', '--label', 'env=prod', '--json');
    expect(JSON.parse(none.stdout)).toEqual([]);
    const shown = await aether('vm', 'get', 'lab-cli');
    expect(shown.stdout).toMatch(/^labels\s+env=ci, team=cli$/m);
    const bad = await aether('vm', 'create', 'lab-cli-bad', '--label', 'UPPER=x');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('UPPER');
  }, 60_000);
});

describe.skipIf(!canRun)('VM usage', () => {
  it('moves as the VM works: CPU seconds, memory, processes; and is on /metrics per VM', async () => {
    const client = node().client;
    await client.createVm({ name: 'busy', memory_mib: 512 }, { wait: true });
    const before = await client.getVmUsage('busy');
    expect(before.cpu_seconds).not.toBeNull();
    expect(before.memory_bytes).not.toBeNull();
    expect(before.processes).toBeGreaterThan(0);

    // A second and a half of busy loop: the VM's CPU account grows by about that.
    await client.execute(
      'busy',
      { command: 'node', args: ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);'] },
      { wait: true },
    );
    const busy = await client.getVmUsage('busy');
    expect(busy.cpu_seconds!).toBeGreaterThan(before.cpu_seconds! + 0.5);

    // 128 MiB held (and touched) while usage is read; the command then exits by itself.
    const holder = await client.execute('busy', {
      command: 'node',
      args: ['-e', 'globalThis.b = Buffer.alloc(128 * 1024 * 1024, 1); setTimeout(() => {}, 15000);'],
    });
    const holding = await usageUntil(
      client,
      'busy',
      (u) => u.memory_bytes! > before.memory_bytes! + 100 * 1024 * 1024,
    );
    expect(holding.memory_bytes!).toBeGreaterThan(before.memory_bytes! + 100 * 1024 * 1024);
    expect(holding.memory_peak_bytes ?? holding.memory_bytes!).toBeGreaterThanOrEqual(holding.memory_bytes!);
    expect(holding.processes!).toBeGreaterThan(before.processes!);

    const res = await fetch(`${node().url}/metrics`, {
      headers: { authorization: `Bearer ${node().node.localAdminKey}` },
    });
    const text = await res.text();
    const vm = await client.getVm('busy');
    const labels = `vm_id="${vm.id}",vm_name="busy",project="${vm.project}",driver="process"`;
    expect(text).toMatch(new RegExp(`^aether_vm_cpu_seconds_total\\{${labels}\\} [0-9.e+]+$`, 'm'));
    expect(text).toMatch(new RegExp(`^aether_vm_memory_bytes\\{${labels}\\} \\d+$`, 'm'));
    expect(text).toMatch(new RegExp(`^aether_vm_processes\\{${labels}\\} [1-9]\\d*$`, 'm'));

    await client.signalExecution(holder.execution_id, 'SIGKILL').catch(() => {});

    // The home is a volume of its own (limits on): what is written there is counted.
    expect(before.disk_bytes).not.toBeNull();
    await client.execute(
      'busy',
      { command: 'sh', args: ['-c', 'head -c 33554432 /dev/zero > big && sync'] },
      { wait: true },
    );
    const written = await usageUntil(
      client,
      'busy',
      (u) => u.disk_bytes! > before.disk_bytes! + 30 * 1024 * 1024,
    );
    expect(written.disk_bytes!).toBeGreaterThan(before.disk_bytes! + 30 * 1024 * 1024);
  }, 90_000);

  it('is `aether vm usage`, and a block of `vm get`', async () => {
    const aether = (...args: string[]) => runCli(node().url, args);
    await node().client.createVm({ name: 'usage-cli' }, { wait: true });
    const json = await aether('vm', 'usage', 'usage-cli', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      cpu_seconds: expect.any(Number),
      memory_bytes: expect.any(Number),
      processes: expect.any(Number),
      sampled_at: expect.any(String),
    });
    const text = await aether('vm', 'usage', 'usage-cli');
    expect(text.stdout).toMatch(/^memory\s+[\d.]+ (KiB|MiB|GiB)$/m);
    const got = await aether('vm', 'get', 'usage-cli');
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^usage: processes\s+\d+$/m);
  }, 60_000);

  it("of another project's VM is 404, of a VM that is not running 409", async () => {
    const admin = node().client;
    const key = await admin.createKey({ name: 'other', project: 'other' });
    const other = new AetherClient({ baseUrl: node().url, token: key.secret });
    await admin.createVm({ name: 'not-yours' }, { wait: true });
    expect(await apiError(other.getVmUsage('not-yours'))).toMatchObject({
      status: 404,
      code: 'ERR_VM_NOT_FOUND',
    });
    const vm = await admin.getVm('not-yours');
    expect(await apiError(other.getVmUsage(vm.id))).toMatchObject({ status: 404 });

    await admin.stopVm('not-yours', { wait: true });
    expect(await apiError(admin.getVmUsage('not-yours'))).toMatchObject({
      status: 409,
      code: 'ERR_VM_NOT_RUNNING',
    });
  }, 60_000);
});
