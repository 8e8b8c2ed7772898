/**
 * The conformance cases of a driver that holds VMs to their size (it says so in
 * `isolation.limits`): memory past the limit kills the command, not the VM; processes stop at
 * the task limit, and the VM lives on. Registered for drivers whose test file declares
 * `enforcesLimits`.
 */
import { expect, it } from 'vitest';
import { isAetherError } from '../../../core/errors.js';
import { ALLOCATE_512_MIB, sh, sleep } from './fixtures.js';
import type { DriverSuiteContext } from './suite-driver.js';

export function defineDriverLimitCases(ctx: DriverSuiteContext, options: { tasks: boolean }): void {
  const { vms } = ctx;

  it('says which limits it enforces', () => {
    const limits = ctx.driver().isolation.limits;
    expect(limits?.enforced).toBe(true);
    expect(limits?.mechanism.length).toBeGreaterThan(10);
  });

  it('kills a 512 MiB allocation in a 256 MiB VM with ERR_VM_OUT_OF_MEMORY; the VM then runs echo', async () => {
    const driver = ctx.driver();
    const id = await vms.running('oom'); // the fixtures make 256 MiB VMs
    const error = await sh(driver, id, ALLOCATE_512_MIB, {
      timeoutMs: 60_000,
    }).then(
      (r) => r,
      (e: unknown) => e,
    );
    expect(isAetherError(error, 'ERR_VM_OUT_OF_MEMORY'), String(JSON.stringify(error))).toBe(true);
    expect((await sh(driver, id, 'echo alive')).stdout).toBe('alive\n');
  });

  // A microVM has no task limit of its own beyond its memory: its kernel's pid_max.
  if (!options.tasks)
    console.warn(
      '[skip] task limit case: this driver limits memory, not tasks (a microVM has its own kernel)',
    );
  it.skipIf(!options.tasks)(
    'stops 3,000 background processes at the task limit, and the VM lives on',
    async () => {
      const driver = ctx.driver();
      const pids = driver.isolation.limits?.pids;
      expect(pids).toBeTypeOf('number');
      // Memory enough for the task limit, not the memory limit, to be the one the sleeps reach.
      const id = await vms.running('pids', { memoryMiB: 2048 });
      // A subshell forks sleeps until it cannot (dash gives up at its first failed fork): they
      // outlive the loop, so the limit is reached however slowly a loaded host forks. The parent
      // then counts the VM's processes and ends the sleeps with builtins only (no fork left).
      const r = await sh(
        driver,
        id,
        [
          '(i=0; while [ $i -lt 3000 ]; do sleep 60 & i=$((i+1)); done) 2>/dev/null',
          'set -- /proc/[0-9]*; n=$#',
          'for p in /proc/[0-9]*; do { read c < "$p/comm" && [ "$c" = sleep ] && kill "${p#/proc/}"; } 2>/dev/null; done',
          'echo "$n"',
        ].join('; '),
        { timeoutMs: 60_000 },
      );
      const processes = Number(r.stdout.trim());
      // Stopped by the task limit: near it, never past it.
      expect(processes).toBeGreaterThan(pids! / 2);
      expect(processes).toBeLessThanOrEqual(pids!);
      let answer = '';
      for (let tries = 0; tries < 60 && answer !== 'alive\n'; tries++) {
        answer = await sh(driver, id, 'echo alive').then(
          (x) => x.stdout,
          () => '',
        );
        if (answer !== 'alive\n') await sleep(250);
      }
      expect(answer).toBe('alive\n');
    },
  );
}
