import { describe, expect, it } from 'vitest';
import type { AetherError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { VmRecord } from '../core/vm.js';
import type { VmProbeResult } from '../core/vm-health.js';
import type { HandlerContext } from './context.js';
import { checkVmHealth } from './health-check.js';
import { RunningCommands } from './running-commands.js';
import { nextHealthStep, type ProbeOutcome } from './vm-health.js';

const alive: ProbeOutcome = { alive: true, rttMs: 1 };
const gone: ProbeOutcome = { alive: false, reason: 'sandbox_exited', detail: 'gone' };
const silent: ProbeOutcome = { alive: false, reason: 'agent_unresponsive', detail: 'no pong' };
const unknown: ProbeOutcome = { alive: 'unknown', error: 'engine down' };

describe('nextHealthStep', () => {
  it('takes one failed look for a suspicion, two in a row for a death', () => {
    expect(nextHealthStep(0, silent)).toEqual({ verdict: 'suspect', failures: 1 });
    expect(nextHealthStep(1, silent)).toEqual({
      verdict: 'dead',
      reason: 'agent_unresponsive',
      detail: 'no pong',
    });
  });

  it('is alive after any answer, whatever failed before (one slow ping is forgiven)', () => {
    expect(nextHealthStep(1, alive)).toEqual({ verdict: 'alive' });
  });

  it('names the reason of the last look, the best informed', () => {
    // The agent went first and took its sandbox with it between the two looks.
    expect(nextHealthStep(1, gone)).toMatchObject({ verdict: 'dead', reason: 'sandbox_exited' });
  });

  it('gives no verdict when the driver could not tell', () => {
    expect(nextHealthStep(1, unknown)).toEqual({ verdict: 'unknown', error: 'engine down' });
  });

  it('follows the policy, one look at least', () => {
    expect(nextHealthStep(0, gone, { failuresToFail: 1 })).toMatchObject({ verdict: 'dead' });
    expect(nextHealthStep(0, gone, { failuresToFail: 0 })).toMatchObject({ verdict: 'dead' });
    expect(nextHealthStep(1, gone, { failuresToFail: 3 })).toEqual({ verdict: 'suspect', failures: 2 });
  });
});

describe('checkVmHealth', () => {
  const startedAt = new Date('2025-01-01T00:00:00Z');
  const vm = {
    id: 'vm-1',
    name: 'one',
    status: 'running',
    driver: 'fake',
    startedAt,
    restart: { policy: 'never', max: 0, count: 0 },
  } as VmRecord;

  /** A context with just what a check uses, over a VM whose probe answers `looks` in turn. */
  function setup(
    looks: (VmProbeResult | Error)[],
    options: {
      snapshotting?: boolean;
      restarted?: boolean;
      restart?: VmRecord['restart'];
      startFails?: boolean;
    } = {},
  ) {
    let current: VmRecord = {
      ...vm,
      ...(options.restarted ? { startedAt: new Date() } : {}),
      ...(options.restart ? { restart: options.restart } : {}),
    };
    const published: unknown[] = [];
    const stopped: string[] = [];
    /** Driver calls in order: `stop` and `start`. */
    const calls: string[] = [];
    const commands = new RunningCommands();
    const ctx = {
      logger: silentLogger,
      commands,
      events: { publish: async (_name: string, payload: unknown) => void published.push(payload) },
      store: {
        listTasks: async () => (options.snapshotting ? [{ type: 'vm:snapshot' }] : [{ type: 'vm:execute' }]),
        getVm: async () => current,
        transitionVm: async (_id: string, change: { from: string[]; to: string; reason: string }) => {
          if (!change.from.includes(current.status)) return null;
          current = { ...current, status: change.to, statusReason: change.reason } as VmRecord;
          return current;
        },
        // The guard of the SQL claim, over the one VM.
        claimVmRestart: async (
          _id: string,
          seen: { startedAt: Date | null; restarts: number },
          reason: string,
        ) => {
          const { restart } = current;
          if (current.status !== 'running' || current.startedAt?.getTime() !== seen.startedAt?.getTime())
            return null;
          if (
            restart.policy !== 'on-failure' ||
            restart.count !== seen.restarts ||
            restart.count >= restart.max
          )
            return null;
          current = {
            ...current,
            statusReason: reason,
            startedAt: new Date(),
            restart: { ...restart, count: restart.count + 1 },
          };
          return current;
        },
      },
    } as unknown as HandlerContext;
    const driver = {
      probe: async () => {
        const look = looks.shift() ?? { alive: true, rttMs: 1 };
        if (look instanceof Error) throw look;
        return look;
      },
      stop: async (id: string) => {
        stopped.push(id);
        calls.push('stop');
      },
      start: async () => {
        calls.push('start');
        if (options.startFails) throw new Error('no sandbox tool');
      },
    } as never;
    const options2 = { failuresToFail: 2, pingTimeoutMs: 100, confirmDelayMs: 1 };
    return {
      ctx,
      driver,
      commands,
      published,
      stopped,
      calls,
      check: () => checkVmHealth(ctx, vm, driver, options2),
      now: () => current,
    };
  }

  it('fails a VM dead on two looks: status reason with the code first, event, commands ended, sandbox stopped', async () => {
    const s = setup([
      { alive: false, reason: 'agent_exited', detail: 'ECONNREFUSED' },
      { alive: false, reason: 'agent_exited', detail: 'ECONNREFUSED' },
    ]);
    const running = s.commands.register('exec-1', { vmId: vm.id, stdinStream: false });
    expect(await s.check()).toBe('failed');
    expect(s.now()).toMatchObject({ status: 'failed' });
    expect(s.now().statusReason).toBe('agent_exited: the guest agent stopped answering (ECONNREFUSED)');
    expect(s.published).toContainEqual({ vmId: vm.id, status: 'failed', reason: s.now().statusReason });
    expect(running.signal.aborted).toBe(true);
    expect((running.signal.reason as AetherError).code).toBe('ERR_VM_FAILED');
    expect(s.stopped).toEqual([vm.id]);
  });

  it('keeps a VM that answers the second look', async () => {
    const s = setup([
      { alive: false, reason: 'agent_unresponsive', detail: 'slow' },
      { alive: true, rttMs: 3 },
    ]);
    expect(await s.check()).toBe('alive');
    expect(s.now().status).toBe('running');
  });

  it('gives no verdict when the probe throws', async () => {
    const s = setup([new Error('engine unreachable')]);
    expect(await s.check()).toBe('unknown');
    expect(s.now().status).toBe('running');
  });

  it('leaves alone a VM being snapshotted (paused, not dead) or started again since it was listed', async () => {
    const dead: VmProbeResult = { alive: false, reason: 'vmm_exited', detail: 'gone' };
    for (const options of [{ snapshotting: true }, { restarted: true }]) {
      const s = setup([dead, dead], options);
      expect(await s.check()).toBe('unknown');
      expect(s.now().status).toBe('running');
      expect(s.stopped).toEqual([]);
    }
  });

  describe('with restart policy on-failure', () => {
    const dead: VmProbeResult = { alive: false, reason: 'sandbox_exited', detail: 'killed' };
    const deathReason = 'sandbox_exited: the sandbox exited (killed)';

    it('restarts a dead VM with a restart left: claimed, announced, commands ended, stopped then started', async () => {
      const s = setup([dead, dead], { restart: { policy: 'on-failure', max: 2, count: 0 } });
      const running = s.commands.register('exec-1', { vmId: vm.id, stdinStream: false });
      expect(await s.check()).toBe('restarted');
      const reason = `restarted: ${deathReason} (restart 1 of 2)`;
      expect(s.now()).toMatchObject({ status: 'running', statusReason: reason, restart: { count: 1 } });
      expect(s.now().startedAt?.getTime()).not.toBe(startedAt.getTime());
      expect(s.published).toContainEqual({ vmId: vm.id, status: 'running', reason });
      const aborted = running.signal.reason as AetherError;
      expect(aborted.code).toBe('ERR_VM_FAILED');
      expect(aborted.message).toContain('is being restarted');
      expect(s.calls).toEqual(['stop', 'start']);
    });

    it('fails it once the limit is reached, saying so', async () => {
      const s = setup([dead, dead], { restart: { policy: 'on-failure', max: 1, count: 1 } });
      expect(await s.check()).toBe('failed');
      expect(s.now()).toMatchObject({
        status: 'failed',
        statusReason: `${deathReason} (restart limit 1 reached)`,
      });
      expect(s.calls).toEqual(['stop']);
    });

    it('fails it when the start fails, with the reason', async () => {
      const s = setup([dead, dead], {
        restart: { policy: 'on-failure', max: 3, count: 0 },
        startFails: true,
      });
      expect(await s.check()).toBe('restarted');
      expect(s.now()).toMatchObject({ status: 'failed', statusReason: 'restart failed: no sandbox tool' });
      expect(s.published).toContainEqual({ vmId: vm.id, status: 'failed', reason: s.now().statusReason });
      expect(s.calls).toEqual(['stop', 'start', 'stop']);
    });
  });
});
