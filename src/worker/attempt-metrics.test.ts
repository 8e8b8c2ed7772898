import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AetherError } from '../core/errors.js';
import { HandBack, PermanentFailure } from '../core/queue.js';
import { createWorkerMetrics } from '../metrics/worker-metrics.js';
import { observeAttempt, outcomeOf } from './attempt-metrics.js';

describe('task attempt outcomes', () => {
  it('reads the outcome from what the processor hands the queue', () => {
    const ended = (code: 'ERR_TASK_CANCELLED' | 'ERR_TASK_TIMEOUT' | 'ERR_VM_NOT_FOUND') =>
      new PermanentFailure('ended', { cause: new AetherError(code, 'x') });
    expect(outcomeOf(new HandBack('draining'))).toBe('handed_back');
    expect(outcomeOf(new Error('flaky: the queue retries it'))).toBe('retrying');
    expect(outcomeOf(ended('ERR_TASK_CANCELLED'))).toBe('cancelled');
    expect(outcomeOf(ended('ERR_TASK_TIMEOUT'))).toBe('timed_out');
    expect(outcomeOf(ended('ERR_VM_NOT_FOUND'))).toBe('failed');
    expect(outcomeOf(new PermanentFailure('no cause'))).toBe('failed');
  });

  it('records each attempt once, rethrowing what it threw', async () => {
    const registry = new Registry();
    const metrics = createWorkerMetrics(registry, 'w1');
    await observeAttempt(metrics, 'vm:create', async () => {});
    const refused = new PermanentFailure('gone', { cause: new AetherError('ERR_TASK_TIMEOUT', 'slow') });
    await expect(
      observeAttempt(metrics, 'vm:execute', async () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
    const text = await registry.metrics();
    expect(text).toContain('aether_task_duration_seconds_count{type="vm:create",outcome="completed"} 1');
    expect(text).toContain('aether_task_duration_seconds_count{type="vm:execute",outcome="timed_out"} 1');
  });
});
