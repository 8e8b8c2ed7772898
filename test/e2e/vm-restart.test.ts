import type { AetherClient, Vm } from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { readSandboxRecord, sandboxProcesses, stillRunning } from '../support/sandbox-processes.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('VM restart policy');

/** The promise: a dead VM is restarted (or failed) within this long of its death. */
const DEATH_NOTICED_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the VM until `done` holds (or well past the deadline); how long that took. */
async function waitFor(client: AetherClient, vmId: string, since: number, done: (vm: Vm) => boolean) {
  for (;;) {
    const vm = await client.getVm(vmId);
    const afterMs = Date.now() - since;
    if (done(vm) || afterMs > DEATH_NOTICED_MS * 2) return { vm, afterMs };
    await sleep(100);
  }
}

/** Kills the VM's whole sandbox from the host, as its processes are now; what it killed. */
function killSandbox(dataDir: string, vmId: string) {
  const record = readSandboxRecord(dataDir, vmId);
  const processes = sandboxProcesses(record);
  // The isolation tool leads the sandbox's process group: the whole sandbox at once.
  process.kill(-record.pid, 'SIGKILL');
  return processes;
}

describe.skipIf(!canRun)('VM restart policy (process driver)', () => {
  const node = useTestNode(canRun);

  it('restarts a VM killed -9 from the host with its files, once; the next death fails it', async () => {
    const t = node();
    const { vm } = await t.client.createVm(
      { name: 'restart-once', restart_policy: 'on-failure', restart_max: 1 },
      { wait: true },
    );
    expect(vm).toMatchObject({ restart_policy: 'on-failure', restart_max: 1, restarts: 0 });
    const wrote = await t.client.execute(
      vm.id,
      { command: 'sh', args: ['-c', 'echo kept > "$HOME/kept.txt"'] },
      { wait: true },
    );
    expect(wrote.execution?.exit_code, `VM ${vm.id}`).toBe(0);

    const since = Date.now();
    const first = killSandbox(t.dataDir, vm.id);
    const { vm: restarted, afterMs } = await waitFor(t.client, vm.id, since, (v) => v.restarts === 1);
    expect(restarted, `VM ${vm.id}`).toMatchObject({ status: 'running', restarts: 1 });
    expect(restarted.status_reason).toMatch(/^restarted: sandbox_exited: .*\(restart 1 of 1\)$/);
    expect(Date.parse(restarted.started_at!)).toBeGreaterThan(Date.parse(vm.started_at!));
    expect(afterMs).toBeLessThan(DEATH_NOTICED_MS);
    // The kernel ends a namespace's processes a moment after its init, later on a loaded host.
    for (let i = 0; i < 50 && stillRunning(first).length > 0; i++) await sleep(100);
    expect(stillRunning(first)).toEqual([]);

    // The claim comes before the boot: commands work once the new sandbox's agent answers.
    const readBack = () =>
      t.client.execute(vm.id, { command: 'sh', args: ['-c', 'cat "$HOME/kept.txt"'] }, { wait: true });
    const answered = (r: unknown) => (r as { execution?: { exit_code?: number } }).execution?.exit_code === 0;
    let read = await readBack().catch((e: unknown) => e);
    for (let i = 0; i < 100 && !answered(read); i++) {
      await sleep(100);
      read = await readBack().catch((e: unknown) => e);
    }
    expect(read).toMatchObject({ execution: { exit_code: 0, stdout: 'kept\n' } });
    expect(Date.now() - since).toBeLessThan(DEATH_NOTICED_MS);
    expect((await t.client.getVm(vm.id)).status).toBe('running');

    const again = Date.now();
    const second = killSandbox(t.dataDir, vm.id);
    const { vm: failed, afterMs: failedMs } = await waitFor(
      t.client,
      vm.id,
      again,
      (v) => v.status !== 'running',
    );
    expect(failed, `VM ${vm.id}`).toMatchObject({ status: 'failed', restarts: 1 });
    expect(failed.status_reason).toMatch(/^sandbox_exited: .*\(restart limit 1 reached\)$/);
    expect(failedMs).toBeLessThan(DEATH_NOTICED_MS);
    for (let i = 0; i < 50 && stillRunning(second).length > 0; i++) await sleep(100);
    expect(stillRunning(second)).toEqual([]);
    await t.client.deleteVm(vm.id, { wait: true });
  }, 90_000);

  it('refuses bad restart policies with ERR_VALIDATION saying what to fix', async () => {
    const client = node().client;
    const zero = await apiError(
      client.createVm({ name: 'bad-restart', restart_policy: 'on-failure', restart_max: 0 }),
    );
    expect(zero).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(zero.message).toMatch(/restart_max.*at least 1/);
    const many = await apiError(
      client.createVm({ name: 'bad-restart', restart_policy: 'on-failure', restart_max: 101 }),
    );
    expect(many.message).toMatch(/restart_max.*at most 100/);
    const alone = await apiError(client.createVm({ name: 'bad-restart', restart_max: 2 }));
    expect(alone).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(alone.message).toMatch(/restart_max.*only with restart_policy "on-failure"/);
    const always = await apiError(
      client.createVm({ name: 'bad-restart', restart_policy: 'always' as unknown as 'never' }),
    );
    expect(always).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(always.message).toMatch(/restart_policy.*never or on-failure/);
  }, 30_000);

  it('takes --restart on the command line and shows it in vm get', async () => {
    const t = node();
    const aether = (...args: string[]) => runCli(t.url, args);
    const created = await aether('vm', 'create', 'cli-restart', '--restart', 'on-failure:2');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/restart\s+on-failure: 0 of 2 restarts used/);
    const plain = await t.client.createVm({ name: 'cli-restart-default', restart_policy: 'on-failure' });
    expect(plain.vm).toMatchObject({ restart_policy: 'on-failure', restart_max: 3, restarts: 0 });
    const bad = await aether('vm', 'create', 'cli-restart-bad', '--restart', 'always');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--restart: use never, on-failure or on-failure:N');
    await Promise.all(
      ['cli-restart', 'cli-restart-default'].map((name) => t.client.deleteVm(name, { wait: true })),
    );
  }, 60_000);
});
