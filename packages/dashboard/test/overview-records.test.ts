import { describe, expect, it } from 'vitest';
import type { Schemas } from '../src/lib/api';
import { minutesOf } from '../src/pages/overview/minutes';
import { priorityNames } from '../src/pages/overview/priorities';
import { stepStateOf } from '../src/pages/records/job-steps';
import { executionOf, jobOf } from '../src/pages/records/related';

const minute = (iso: string) => Date.parse(iso) / 1000;

describe('minutesOf', () => {
  const now = Date.parse('2026-01-01T10:00:30Z');

  it('fills the minutes the API left out: zero executions, no latency', () => {
    const minutes = minutesOf(
      [{ at: '2026-01-01T09:58:00Z', count: 3, failed: 1, p50_ms: 10, p99_ms: 90 }],
      3,
      now,
    );
    expect(minutes.map((m) => m.at)).toEqual([
      minute('2026-01-01T09:58:00Z'),
      minute('2026-01-01T09:59:00Z'),
      minute('2026-01-01T10:00:00Z'),
    ]);
    expect(minutes[0]).toMatchObject({ count: 3, failed: 1, p50Ms: 10, p99Ms: 90 });
    expect(minutes[1]).toMatchObject({ count: 0, failed: 0, p50Ms: null, p99Ms: null });
  });

  it("ends at the gateway's newest minute when its clock runs ahead", () => {
    const minutes = minutesOf(
      [{ at: '2026-01-01T10:01:00Z', count: 1, failed: 0, p50_ms: 5, p99_ms: 5 }],
      2,
      now,
    );
    expect(minutes.map((m) => m.at)).toEqual([
      minute('2026-01-01T10:00:00Z'),
      minute('2026-01-01T10:01:00Z'),
    ]);
    expect(minutes[1]?.count).toBe(1);
  });

  it('shows no latency for a minute without executions, whatever the API put there', () => {
    const [only] = minutesOf(
      [{ at: '2026-01-01T10:00:00Z', count: 0, failed: 0, p50_ms: 0, p99_ms: 0 }],
      1,
      now,
    );
    expect(only).toMatchObject({ count: 0, p50Ms: null, p99Ms: null });
  });
});

describe('priorityNames', () => {
  it('orders priorities highest first, unknown names last', () => {
    expect(priorityNames({ low: 1, default: 2, critical: 0, high: 3 }, { urgent: 1 })).toEqual([
      'critical',
      'high',
      'default',
      'low',
      'urgent',
    ]);
  });
});

describe('related records of a task', () => {
  it('finds the execution and the job in the payload or the result', () => {
    expect(executionOf({ payload: { executionId: 'e1' }, result: null })).toBe('e1');
    expect(executionOf({ payload: {}, result: { executionId: 'e2' } })).toBe('e2');
    expect(jobOf({ payload: { jobId: 'j1' }, result: null })).toBe('j1');
    expect(executionOf({ payload: 'text', result: 3 })).toBeNull();
  });
});

describe('stepStateOf', () => {
  const job = (status: Schemas['Job']['status'], exitCodes: (number | null)[]): Schemas['Job'] => ({
    id: 'j',
    project: 'p',
    name: 'ci',
    vm_id: 'v',
    task_id: 't',
    status,
    steps: [1, 2, 3].map(() => ({ command: 'true', args: [], env: {}, cwd: null, timeout_ms: 1000 })),
    results: exitCodes.map((exit_code, i) => ({ execution_id: `e${i}`, exit_code, error: null })),
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });

  it('marks the step after the last result as running while the job runs', () => {
    const running = job('running', [0]);
    expect([0, 1, 2].map((i) => stepStateOf(running, i))).toEqual(['succeeded', 'running', 'pending']);
  });

  it('marks steps after a failure as skipped once the job ended', () => {
    const failed = job('failed', [0, 2]);
    expect([0, 1, 2].map((i) => stepStateOf(failed, i))).toEqual(['succeeded', 'failed', 'skipped']);
  });
});
