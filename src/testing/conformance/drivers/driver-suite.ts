/**
 * The VmDriver conformance suite: the same cases against every driver, on the real backend.
 * A driver's test file calls `describeDriverConformance` in a few lines; when the backend is
 * missing it passes `skipReason`, which is printed (CI turns such skips into failures upstream).
 */
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import type { VmDriver } from '../../../core/driver.js';
import { isAetherError } from '../../../core/errors.js';
import { aliveCheck, hostProcessesMatching, pathsNaming, run, sh, sleep } from './fixtures.js';
import { defineDriverHibernateCases } from './hibernate-cases.js';
import { defineDriverLimitCases } from './limit-cases.js';
import { defineDriverPauseCases } from './pause-cases.js';
import { defineDriverPortCases } from './port-cases.js';
import { defineDriverStreamCases } from './stream-cases.js';
import { type MakeConformanceDriver, useSuiteDriver } from './suite-driver.js';
import { defineDriverTerminalCases } from './terminal-cases.js';
import { defineDriverUsageCases } from './usage-cases.js';

export type { DriverConformanceContext, MakeConformanceDriver } from './suite-driver.js';

export interface DriverConformanceOptions {
  /** Set when the backend is unavailable here: the suite is skipped and the reason printed. */
  skipReason?: string | null;
  /** Guests see the host's /usr and /etc (the process driver): check they stay read-only and secret. */
  sharesHostFiles?: boolean;
  /** Per-test limit, for drivers whose VMs take long to boot (microVMs under emulation). */
  testTimeoutMs?: number;
  /**
   * The driver holds VMs to their memory, and with `memory-and-tasks` to a task count too: the
   * limit cases run (limit-cases.ts).
   */
  enforcesLimits?: 'memory' | 'memory-and-tasks';
  /** The driver can pause and resume VMs: the pause cases run (pause-cases.ts). */
  pauses?: boolean;
  /** The driver can hibernate VMs (`VmDriver.hibernate`): the hibernate cases run (hibernate-cases.ts). */
  hibernates?: boolean;
  /** The driver reports usage (`VmDriver.usage`): the usage case runs (usage-cases.ts). */
  reportsUsage?: boolean;
}

export function describeDriverConformance(
  name: string,
  makeDriver: MakeConformanceDriver,
  options: DriverConformanceOptions = {},
): void {
  if (options.skipReason) console.warn(`[skip] ${name} driver conformance: ${options.skipReason}`);

  const limits = options.testTimeoutMs ? { timeout: options.testTimeoutMs } : {};
  describe.skipIf(Boolean(options.skipReason))(`VmDriver conformance: ${name}`, limits, () => {
    const ctx = useSuiteDriver(name, makeDriver);
    const { vms } = ctx;
    // Read at each case's start: the hooks make the driver after this block has run.
    let driver: VmDriver;
    let stateDir: string;
    beforeEach(() => {
      driver = ctx.driver();
      stateDir = ctx.stateDir();
    });

    it('describes its isolation honestly', () => {
      expect(driver.isolation.level).not.toBe('');
      expect(['shared', 'dedicated']).toContain(driver.isolation.kernel);
      expect(driver.isolation.summary.length).toBeGreaterThan(20);
    });

    it('creates, starts and runs a command: stdout, stderr and exit code', async () => {
      const id = await vms.running('basic');
      expect((await driver.status(id)).state).toBe('running');
      const r = await sh(driver, id, 'echo out; echo err >&2; exit 3');
      expect(r).toMatchObject({
        stdout: 'out\n',
        stderr: 'err\n',
        exitCode: 3,
        signal: null,
        timedOut: false,
      });
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      await driver.create({ id, name: 'again', vcpus: 1, memoryMiB: 256 }); // idempotent
      await driver.start(id); // idempotent while running
      expect((await sh(driver, id, 'echo still')).stdout).toBe('still\n');
    });

    it('keeps files in the home directory between execs', async () => {
      const id = await vms.running('files');
      expect((await sh(driver, id, 'echo kept > note.txt')).exitCode).toBe(0);
      expect((await sh(driver, id, 'cat "$HOME/note.txt"')).stdout).toBe('kept\n');
    });

    it('honours env, cwd and stdin; the default cwd is the home', async () => {
      const id = await vms.running('io');
      const r = await sh(driver, id, 'printf "%s|%s|" "$GREETING" "$(pwd)"; cat', {
        env: { GREETING: 'hello world' },
        cwd: '/tmp',
        stdin: Buffer.from('from stdin'),
      });
      expect(r.stdout).toBe('hello world|/tmp|from stdin');
      const home = await sh(driver, id, 'test "$(pwd)" = "$HOME" && echo same');
      expect(home.stdout).toBe('same\n');
      expect((await sh(driver, id, 'cat')).stdout).toBe(''); // no stdin: empty, not a hang
    });

    defineDriverStreamCases(ctx);
    defineDriverTerminalCases(ctx);
    defineDriverPortCases(ctx);
    if (options.enforcesLimits)
      defineDriverLimitCases(ctx, { tasks: options.enforcesLimits === 'memory-and-tasks' });
    if (options.pauses) defineDriverPauseCases(ctx);
    if (options.reportsUsage) defineDriverUsageCases(ctx);
    if (options.hibernates) defineDriverHibernateCases(ctx);

    it('isolates sibling VMs: no shared files, no visible processes', async () => {
      const [a, b] = await Promise.all([vms.running('sibling-a'), vms.running('sibling-b')]);
      await sh(driver, a, 'echo secret > only-in-a.txt; sleep 98765 >/dev/null 2>&1 &');
      const own = await sh(driver, a, 'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "');
      expect(own.stdout).toContain('98765'); // the probe below would see it if it were visible
      const seen = await sh(driver, b, 'ls -a "$HOME"; cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "');
      expect(seen.stdout).not.toContain('only-in-a');
      expect(seen.stdout).not.toContain('98765');
    });

    it('has no network: only loopback, host services unreachable', async () => {
      const id = await vms.running('network');
      const interfaces = await sh(driver, id, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
      expect(interfaces.stdout.trim().split('\n')).toEqual(['lo']);
      const server: Server = createServer((socket) => socket.end('reached'));
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      try {
        const port = (server.address() as { port: number }).port;
        const hostIps = Object.values(networkInterfaces())
          .flat()
          .filter((i) => i && i.family === 'IPv4')
          .map((i) => i!.address);
        if ((await sh(driver, id, 'command -v bash')).exitCode !== 0) return; // /dev/tcp needs bash
        for (const ip of hostIps) {
          const probe = await run(driver, id, ['bash', '-c', `exec 3<>/dev/tcp/${ip}/${port} && cat <&3`], {
            timeoutMs: 5000,
          });
          expect(probe.stdout, `reached the host at ${ip}`).not.toContain('reached');
          expect(probe.exitCode).not.toBe(0);
        }
      } finally {
        server.close();
      }
    });

    // Only where guests see host files; other drivers have nothing of the host to protect here.
    if (options.sharesHostFiles)
      it('cannot write host files or read root-only ones', async () => {
        const id = await vms.running('host-files');
        const marker = `aether-conformance-${Date.now()}`;
        for (const path of [`/etc/${marker}`, `/usr/bin/${marker}`, `/${marker}`]) {
          expect((await sh(driver, id, `echo x > ${path}`)).exitCode, path).not.toBe(0);
        }
        // Guest root must not be able to lift the read-only mounts either.
        await sh(driver, id, 'mount -o remount,rw,bind /usr; mount -o remount,rw,bind /etc; umount -l /etc');
        expect((await sh(driver, id, `echo x > /etc/${marker}`)).exitCode).not.toBe(0);
        expect(pathsNaming('/etc', marker)).toEqual([]);
        const shadow = await sh(driver, id, 'test -e /etc/shadow || exit 0; cat /etc/shadow');
        expect(shadow.stdout).toBe('');
        expect((await sh(driver, id, 'id -u')).stdout).toBe('0\n'); // guest root, yet no host power
      });

    it('kills the whole process tree on timeout, backgrounded grandchildren too', async () => {
      const id = await vms.running('timeout');
      const started = Date.now();
      const r = await sh(
        driver,
        id,
        'sleep 300 & echo $! > bg.pids; setsid sleep 301 & echo $! >> bg.pids; sleep 302',
        {
          timeoutMs: 500,
        },
      );
      expect(r).toMatchObject({ exitCode: null, timedOut: true });
      expect(Date.now() - started).toBeLessThan(5000);
      await sleep(100);
      expect((await sh(driver, id, aliveCheck('bg.pids'))).stdout).toBe('');
    });

    it('runs concurrent execs on one VM', async () => {
      const id = await vms.running('concurrent');
      // One alone first: what a command costs here (an emulated guest spawns slowly).
      const aloneStarted = Date.now();
      await sh(driver, id, 'sleep 0.5; echo alone');
      const alone = Date.now() - aloneStarted;
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => sh(driver, id, `sleep 0.5; echo ${i}`)),
      );
      expect(results.map((r) => r.stdout)).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n', '5\n']);
      // Run one after another they would take 6 × alone; overlapping, far less.
      expect(Date.now() - started).toBeLessThan(Math.max(2500, 0.6 * 6 * alone));
    });

    it('reports a missing binary as ERR_EXEC_SPAWN_FAILED, not an exit code', async () => {
      const id = await vms.running('spawn-fail');
      const error = await run(driver, id, ['definitely-not-a-binary-7f3a']).catch((e: unknown) => e);
      expect(isAetherError(error, 'ERR_EXEC_SPAWN_FAILED')).toBe(true);
    });

    it('kills the command when the abort signal fires', async () => {
      const id = await vms.running('abort');
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('caller gave up')), 300);
      const started = Date.now();
      const outcome = run(
        driver,
        id,
        ['sh', '-c', 'echo $$ > abort.pids; sleep 301 & echo $! >> abort.pids; wait'],
        {},
        controller.signal,
      );
      await expect(outcome).rejects.toThrow('caller gave up');
      expect(Date.now() - started).toBeLessThan(5000);
      await sleep(100);
      expect((await sh(driver, id, aliveCheck('abort.pids'))).stdout).toBe('');
    });

    it('keeps files across stop and start', async () => {
      const id = await vms.running('restart');
      await sh(driver, id, 'echo survived > state.txt');
      await driver.stop(id);
      expect((await driver.status(id)).state).toBe('stopped');
      const error = await sh(driver, id, 'true').catch((e: unknown) => e);
      expect(isAetherError(error, 'ERR_VM_NOT_RUNNING')).toBe(true);
      await driver.start(id);
      expect((await sh(driver, id, 'cat state.txt')).stdout).toBe('survived\n');
    });

    it('leaves no process and no file behind on destroy', async () => {
      const id = await vms.running('destroy');
      const marker = String(900_000 + Math.floor(Math.random() * 99_999));
      await sh(driver, id, `sleep ${marker} >/dev/null 2>&1 & echo data > file.txt`);
      await driver.destroy(id);
      expect((await driver.status(id)).state).toBe('missing');
      expect((await driver.list()).map((vm) => vm.id)).not.toContain(id);
      // The kernel reaps a namespace's last processes just after its PID 1; allow it a moment.
      await expect.poll(() => hostProcessesMatching(`sleep ${marker}`), { timeout: 2000 }).toEqual([]);
      expect(pathsNaming(stateDir, id)).toEqual([]);
      await driver.destroy(id); // idempotent
    });

    it('answers ERR_VM_NOT_FOUND for a VM it does not know', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const attempt of [
        () => run(driver, unknown, ['true']),
        () => driver.start(unknown),
        () => driver.stop(unknown),
        () => driver.files.stat(unknown, 'x'),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(isAetherError(error, 'ERR_VM_NOT_FOUND')).toBe(true);
      }
      expect((await driver.status(unknown)).state).toBe('missing');
    });

    it('survives a host restart: a fresh driver lists and execs into running VMs', async () => {
      const id = await vms.running('survivor');
      await sh(driver, id, 'echo before > restart.txt');
      const fresh = await makeDriver({ stateDir });
      try {
        expect(await fresh.list()).toContainEqual(expect.objectContaining({ id, state: 'running' }));
        expect((await sh(fresh, id, 'cat restart.txt')).stdout).toBe('before\n');
      } finally {
        await fresh.close();
      }
    });

    it('reports created, stopped and health', async () => {
      const id = await vms.created('states');
      expect((await driver.status(id)).state).toBe('created');
      expect((await driver.health()).ok).toBe(true);
    });
  });
}
