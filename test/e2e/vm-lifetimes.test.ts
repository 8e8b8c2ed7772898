import { rmSync } from 'node:fs';
import type { AetherClient, Vm } from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { startTestNode, useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('end-to-end VM');

const node = useTestNode(canRun);

/** Polls `vm` until it leaves `running`; answers the VM and when that was seen. */
async function waitForEnd(
  client: AetherClient,
  vm: string,
  timeoutMs = 30_000,
): Promise<{ vm: Vm; at: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await client.getVm(vm);
    if (now.status === 'stopped' || now.status === 'deleted') return { vm: now, at: Date.now() };
    if (Date.now() > deadline) throw new Error(`VM ${vm} is still ${now.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!canRun)('VM lifetimes', () => {
  it('ends a VM at its ttl (stopped or deleted as asked, reason ttl); an extend moves the deadline', async () => {
    const client = node().client;
    const asked = Date.now();
    const [stops, deletes, extended] = await Promise.all([
      client.createVm({ name: 'ttl-stop', ttl_seconds: 10 }, { wait: true }),
      client.createVm({ name: 'ttl-delete', ttl_seconds: 10, on_expiry: 'delete' }, { wait: true }),
      client.createVm({ name: 'ttl-extend', ttl_seconds: 10 }, { wait: true }),
    ]);
    expect(stops.vm).toMatchObject({ ttl_seconds: 10, on_expiry: 'stop', idle_timeout_seconds: null });
    expect(Date.parse(stops.vm.expires_at!) - asked).toBeGreaterThan(8_000);
    expect(deletes.vm.on_expiry).toBe('delete');
    const moved = await client.extendVm('ttl-extend', 3600);
    expect(Date.parse(moved.expires_at!) - Date.parse(extended.vm.expires_at!)).toBe(3_600_000);

    const [stopped, deleted] = await Promise.all([
      waitForEnd(client, stops.vm.id),
      waitForEnd(client, deletes.vm.id),
    ]);
    for (const end of [stopped, deleted]) {
      expect(end.at - asked).toBeGreaterThanOrEqual(9_000);
      expect(end.at - asked).toBeLessThanOrEqual(16_000);
      expect(end.vm.status_reason).toBe('ttl: lifetime of 10s reached');
    }
    expect(stopped.vm.status).toBe('stopped');
    expect(deleted.vm.status).toBe('deleted');
    expect((await client.getVm('ttl-extend')).status).toBe('running');

    // A stopped VM whose lifetime ran out starts again with a fresh one.
    const again = await client.startVm('ttl-stop', { wait: true });
    expect(again.vm.status).toBe('running');
    expect(Date.parse(again.vm.expires_at!)).toBeGreaterThan(Date.now() + 5_000);
    await client.deleteVm('ttl-stop', { wait: true });
  }, 60_000);

  it('holds off the idle timeout while a command runs, and ends the VM after (reason idle)', async () => {
    const client = node().client;
    const created = await client.createVm({ name: 'idler', idle_timeout_seconds: 3 }, { wait: true });
    expect(created.vm.idle_expires_at).not.toBeNull();
    const ran = await client.execute('idler', { command: 'sleep', args: ['6'] }, { wait: true });
    expect(ran.execution?.exit_code).toBe(0);
    const afterCommand = await client.getVm('idler');
    expect(afterCommand.status).toBe('running');
    const ended = Date.now();
    const { vm, at } = await waitForEnd(client, 'idler');
    expect(vm).toMatchObject({ status: 'stopped', status_reason: 'idle: no activity for 3s' });
    expect(at - ended).toBeGreaterThanOrEqual(2_000);
    expect(at - ended).toBeLessThanOrEqual(8_000);
  }, 60_000);

  it('refuses bad lifetimes with ERR_VALIDATION saying what to fix', async () => {
    const client = node().client;
    const negative = await apiError(client.createVm({ name: 'bad-ttl', ttl_seconds: -5 }));
    expect(negative).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(negative.message).toContain('ttl_seconds');
    const action = await apiError(
      client.createVm({ name: 'bad-expiry', on_expiry: 'explode' as unknown as 'stop' }),
    );
    expect(action).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(action.message).toMatch(/on_expiry.*stop or delete/);

    const unlimited = await client.createVm({ name: 'unlimited' }, { wait: true });
    expect(unlimited.vm).toMatchObject({ ttl_seconds: null, expires_at: null, idle_expires_at: null });
    const none = await apiError(client.extendVm('unlimited', 60));
    expect(none).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(none.message).toContain('no lifetime to extend');
    const zero = await apiError(client.extendVm('unlimited', 0));
    expect(zero).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });

    const doomed = await client.createVm({ name: 'doomed', ttl_seconds: 600 }, { wait: true });
    await client.deleteVm('doomed', { wait: true });
    const gone = await apiError(client.extendVm(doomed.vm.id, 60));
    expect(gone).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(gone.message).toContain('is deleted');
  }, 60_000);

  it('takes --ttl, --idle-timeout and --on-expiry on the command line and shows what remains', async () => {
    const aether = (...args: string[]) => runCli(node().url, args);
    const created = await aether(
      'vm',
      'create',
      'cli-ttl',
      '--ttl',
      '30m',
      '--idle-timeout',
      '5m',
      '--on-expiry',
      'delete',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      /expires\s+lifetime in (29m\d+s|30m) .*; idle in (4m\d+s|5m) \(timeout 5m\); then delete/,
    );
    const extended = await aether('vm', 'extend', 'cli-ttl', '1h', '--json');
    expect(JSON.parse(extended.stdout)).toMatchObject({ ttl_seconds: 1800 });
    const ls = await aether('vm', 'ls');
    expect(ls.stdout).toMatch(/EXPIRES/);
    expect(ls.stdout).toMatch(/cli-ttl .* in (4m\d+s|5m)\n/);
    const bad = await aether('vm', 'create', 'cli-bad', '--ttl', 'soon');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--ttl: use a duration such as');
  }, 60_000);
});

describe.skipIf(!canRun)('a lifetime set before a restart', () => {
  it('is still enforced by the node that comes back on the same data dir', async () => {
    const first = await startTestNode();
    const dataDir = first.dataDir;
    let second: Awaited<ReturnType<typeof startTestNode>> | null = null;
    try {
      const asked = Date.now();
      const { vm } = await first.client.createVm({ name: 'outlives', ttl_seconds: 8 }, { wait: true });
      // The node only (stop() would delete the VM): its sandbox and its deadline stay.
      await first.node.close();
      second = await startTestNode({}, dataDir);
      const { vm: ended, at } = await waitForEnd(second.client, vm.id);
      expect(ended).toMatchObject({ status: 'stopped', status_reason: 'ttl: lifetime of 8s reached' });
      expect(at - asked).toBeGreaterThanOrEqual(7_000);
    } finally {
      if (second) await second.stop();
      else rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
