/**
 * The conformance cases of a driver that can pause VMs: a paused VM's processes get no CPU (a
 * loop ticking in the guest barely moves while it is paused) and go on after `resume` with their
 * memory and files; pause and resume are idempotent; a paused VM still stops. Registered for
 * drivers whose test file declares `pauses`.
 */
import { expect, it } from 'vitest';
import { sh, sleep } from './fixtures.js';
import type { DriverSuiteContext } from './suite-driver.js';

const PAUSE_MS = 1_500;

/** Adds a line to ~/ticks every 50 ms, detached from the exec that starts it. */
const TICKER =
  "setsid sh -c 'while :; do echo t >> ticks; sleep 0.05; done' </dev/null >/dev/null 2>&1 & echo started";

export function defineDriverPauseCases(ctx: DriverSuiteContext): void {
  const { vms } = ctx;

  it('pauses a VM where it stands and resumes it with its processes and files', async () => {
    const driver = ctx.driver();
    const id = await vms.running('pause');
    await sh(driver, id, 'echo kept > note');
    expect((await sh(driver, id, TICKER)).stdout).toBe('started\n');
    // Ticks are counted in windows of the host's time: a VM's own clock may stand still while
    // it is paused (QEMU stops the guest's clock with its vCPUs), so guest times prove nothing.
    const ticks = async () => Number((await sh(driver, id, 'wc -l < ticks')).stdout.trim());
    await sleep(300);
    const before = await ticks();
    await sleep(PAUSE_MS);
    const running = (await ticks()) - before;
    const pausedFrom = before + running;
    await driver.pause!(id);
    await driver.pause!(id); // idempotent
    await sleep(PAUSE_MS);
    await driver.resume!(id);
    await driver.resume!(id);
    const whilePaused = (await ticks()) - pausedFrom;
    expect(running).toBeGreaterThanOrEqual(5);
    // What ticked in the paused window did so while the count itself was being read.
    expect(whilePaused).toBeLessThan(running / 2);
    await sleep(500);
    expect(await ticks()).toBeGreaterThan(pausedFrom + whilePaused);
    expect((await sh(driver, id, 'cat note')).stdout).toBe('kept\n');
  });

  it('stops a paused VM', async () => {
    const driver = ctx.driver();
    const id = await vms.running('pause-stop');
    await driver.pause!(id);
    await driver.stop(id, { graceMs: 1_000 });
    expect((await driver.status(id)).state).not.toBe('running');
  });
}
