/**
 * The conformance cases of a driver that can hibernate VMs (save memory, end the VMM): a
 * hibernated VM holds no VMM process, is still listed, and wakes with its processes, its in-memory files and its home as they were; stop discards the
 * saved state, after letting the guest write back what it held (nothing it wrote is lost), and
 * start boots afresh. Registered for drivers whose test file declares
 * `hibernates`.
 */
import { expect, it } from 'vitest';
import { isAlive } from '../../../drivers/shared/host-proc.js';
import { sh } from './fixtures.js';
import type { DriverSuiteContext } from './suite-driver.js';

/** A process that keeps running in the guest, detached from the exec that starts it. */
const SLEEPER = "setsid sh -c 'exec sleep 86421' </dev/null >/dev/null 2>&1 & echo started";
const SLEEPER_ALIVE = 'pgrep -f "sleep 86421" >/dev/null && echo alive || echo gone';

export function defineDriverHibernateCases(ctx: DriverSuiteContext): void {
  const { vms } = ctx;

  it('hibernates a VM (no VMM left) and wakes it with its processes, memory and files', async () => {
    const driver = ctx.driver();
    const id = await vms.running('hibernate');
    await sh(driver, id, 'echo home > note; echo ram > /dev/shm/in-memory');
    expect((await sh(driver, id, SLEEPER)).stdout).toBe('started\n');
    const before = await driver.status(id);
    const pid = before.detail?.pid as number;
    expect(pid).toBeGreaterThan(0);

    await driver.hibernate!(id);
    await driver.hibernate!(id); // idempotent
    const asleep = await driver.status(id);
    expect(asleep.state).toBe('stopped');
    expect(asleep.detail?.hibernated).toBe(true);
    expect(isAlive(pid)).toBe(false); // a zombie the test process has not reaped yet counts as gone
    expect((await driver.list()).map((vm) => vm.id)).toContain(id);

    await driver.resume!(id);
    await driver.resume!(id); // idempotent
    expect((await driver.status(id)).state).toBe('running');
    expect((await driver.status(id)).detail?.hibernated).toBeFalsy();
    const after = await sh(driver, id, `cat note /dev/shm/in-memory; ${SLEEPER_ALIVE}`);
    expect(after.stdout).toBe('home\nram\nalive\n');
    // The guest's clock is the host's again, not the instant it was saved at.
    const guestNow = Number((await sh(driver, id, 'date +%s')).stdout.trim());
    expect(Math.abs(guestNow - Date.now() / 1000)).toBeLessThan(5);
  });

  it('hibernates a paused VM; stop keeps what the guest wrote, drops its memory; start boots afresh', async () => {
    const driver = ctx.driver();
    const id = await vms.running('hibernate-stop');
    await sh(driver, id, 'echo home > note; echo ram > /dev/shm/in-memory');
    await driver.pause!(id);
    await driver.hibernate!(id);
    expect((await driver.status(id)).detail?.hibernated).toBe(true);
    await driver.stop(id, { graceMs: 1_000 });
    expect((await driver.status(id)).detail?.hibernated).toBeFalsy();
    await driver.start(id);
    // A fresh boot: the home is on disk, the tmpfs is new.
    const r = await sh(driver, id, 'cat note; cat /dev/shm/in-memory 2>/dev/null || echo fresh');
    expect(r.stdout).toBe('home\nfresh\n');
  });

  it('refuses to hibernate a VM that is not running, and destroys a hibernated one', async () => {
    const driver = ctx.driver();
    const id = await vms.running('hibernate-destroy');
    await driver.stop(id, { graceMs: 1_000 });
    await expect(driver.hibernate!(id)).rejects.toMatchObject({ code: 'ERR_VM_NOT_RUNNING' });
    await driver.start(id);
    await driver.hibernate!(id);
    await driver.destroy(id);
    expect((await driver.status(id)).state).toBe('missing');
    expect((await driver.list()).map((vm) => vm.id)).not.toContain(id);
  });
}
