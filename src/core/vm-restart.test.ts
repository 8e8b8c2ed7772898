import { describe, expect, it } from 'vitest';
import { restartDecision, restartedReason } from './vm-restart.js';

const died = 'sandbox_exited: the sandbox exited (killed)';

describe('restartDecision', () => {
  it('fails a VM whose policy is never, with the death reason as it is', () => {
    expect(restartDecision({ policy: 'never', max: 0, count: 0 }, died)).toEqual({
      action: 'fail',
      reason: died,
    });
  });

  it('restarts an on-failure VM while it has restarts left, counting from 1', () => {
    expect(restartDecision({ policy: 'on-failure', max: 3, count: 0 }, died)).toEqual({
      action: 'restart',
      attempt: 1,
      max: 3,
      reason: 'restarted: sandbox_exited: the sandbox exited (killed) (restart 1 of 3)',
    });
    expect(restartDecision({ policy: 'on-failure', max: 3, count: 2 }, died)).toMatchObject({
      action: 'restart',
      attempt: 3,
    });
  });

  it('fails it once the limit is used up, saying so after the death reason', () => {
    const decision = restartDecision({ policy: 'on-failure', max: 1, count: 1 }, died);
    expect(decision).toEqual({ action: 'fail', reason: `${died} (restart limit 1 reached)` });
    // The code still starts the reason, for scripts that match on it.
    expect(decision.reason.startsWith('sandbox_exited: ')).toBe(true);
    // A count past the limit (a lowered limit, a hand-edited row) fails as well.
    expect(restartDecision({ policy: 'on-failure', max: 2, count: 5 }, died).action).toBe('fail');
  });

  it('writes the restarted reason with its prefix first', () => {
    expect(restartedReason('agent_exited: x', 2, 5)).toBe('restarted: agent_exited: x (restart 2 of 5)');
  });
});
