import { describe, expect, it } from 'vitest';
import { checkHistory } from './checker.js';
import type { CompletionEvent, HistoryEvent, HistoryEventBody } from './history.js';
import { effectCommand, opOfExecution } from './history.js';

/** Builds a history from bodies, numbering them and spacing them 10 ms apart from t0. */
function history(bodies: HistoryEventBody[], t0 = 1_000_000): HistoryEvent[] {
  return bodies.map((body, seq) => ({ t: t0 + seq * 10, seq, ...body }) as HistoryEvent);
}

const VM = 'vm-1';

function answer(
  type: CompletionEvent['type'],
  op: string,
  fields: Partial<CompletionEvent> = {},
): CompletionEvent {
  return {
    type,
    op,
    vmId: VM,
    httpStatus: type === 'ok' ? 200 : 503,
    code: null,
    taskId: `t-${op}`,
    executionId: `e-${op}`,
    taskStatus: type === 'ok' ? 'completed' : null,
    taskOutcome: type !== 'info',
    exitCode: type === 'ok' ? 0 : null,
    ...fields,
  };
}

function finalTask(op: string, status: string, errorCode: string | null = null): HistoryEventBody {
  return {
    type: 'final-task',
    taskId: `t-${op}`,
    found: true,
    taskType: 'vm:execute',
    status,
    statusReason: status === 'completed' ? 'handler finished' : `${errorCode}: gone`,
    errorCode,
    workerId: 'w1',
    vmId: VM,
    retryCount: 0,
    claims: null,
  };
}

function finalExecution(op: string): HistoryEventBody {
  return {
    type: 'final-execution',
    executionId: `e-${op}`,
    taskId: `t-${op}`,
    vmId: VM,
    op,
    exitCode: 0,
    errorCode: null,
    completed: true,
  };
}

function claim(op: string, from: string, reason: string): HistoryEventBody {
  return { type: 'state-change', entityId: `t-${op}`, from, to: 'processing', reason, at: '' };
}

function end(op: string, to: string): HistoryEventBody {
  return {
    type: 'state-change',
    entityId: `t-${op}`,
    from: 'processing',
    to,
    reason: 'handler finished',
    at: '',
  };
}

/** Two ops on one VM owned by w1, both completed, each effect once: a clean run. */
function cleanRun(): HistoryEventBody[] {
  return [
    { type: 'vm', vmId: VM, name: 'fault-1', workerId: 'w1' },
    { type: 'invoke', op: 'o1', vmId: VM, loop: 0 },
    { type: 'invoke', op: 'o2', vmId: VM, loop: 1 },
    answer('ok', 'o1'),
    answer('ok', 'o2'),
    finalTask('o1', 'completed'),
    finalTask('o2', 'completed'),
    finalExecution('o1'),
    finalExecution('o2'),
    claim('o1', 'pending', 'attempt 1 on w1'),
    end('o1', 'completed'),
    claim('o2', 'pending', 'attempt 1 on w1'),
    end('o2', 'completed'),
    { type: 'effects', vmId: VM, ops: ['o1', 'o2'] },
  ];
}

describe('checkHistory', () => {
  it('finds nothing wrong with a clean run', () => {
    const report = checkHistory(history(cleanRun()));
    expect(report.violations).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.counts).toMatchObject({ attempted: 2, acknowledged: 2, ok: 2, opTasks: 2 });
    expect(report.outcomes).toEqual({ completed: 2 });
    expect(report.staleSource).toBe('state-changes');
  });

  it('counts an acknowledged task that never ended as lost', () => {
    const bodies: HistoryEventBody[] = cleanRun().filter(
      (e) => !(e.type === 'final-task' && e.taskId === 't-o2'),
    );
    bodies.push(finalTask('o2', 'processing'));
    const report = checkHistory(history(bodies));
    expect(report.valid).toBe(false);
    expect(report.lost).toEqual([
      { op: 'o2', taskId: 't-o2', why: 'acknowledged, still processing at the end' },
    ]);
    expect(report.notTerminal).toHaveLength(1);
  });

  it('counts an acknowledged task the store does not hold as lost', () => {
    const bodies: HistoryEventBody[] = cleanRun().filter(
      (e) => !(e.type === 'final-task' && e.taskId === 't-o1'),
    );
    bodies.push({
      ...(finalTask('o1', 'completed') as object),
      found: false,
      status: null,
    } as HistoryEventBody);
    const report = checkHistory(history(bodies));
    expect(report.lost.map((l) => l.op)).toEqual(['o1']);
  });

  it('does not count an interrupted execution as lost, and counts it as interrupted', () => {
    const bodies: HistoryEventBody[] = cleanRun().filter(
      (e) => !(e.type === 'final-task' && e.taskId === 't-o2') && e.type !== 'effects',
    );
    const idx = bodies.findIndex((e) => e.type === 'ok' && e.op === 'o2');
    bodies[idx] = answer('fail', 'o2', {
      httpStatus: 500,
      code: 'ERR_TASK_INTERRUPTED',
      taskStatus: 'failed',
      taskOutcome: true,
    });
    bodies.push(finalTask('o2', 'failed', 'ERR_TASK_INTERRUPTED'));
    bodies.push({ type: 'effects', vmId: VM, ops: ['o1'] });
    const report = checkHistory(history(bodies));
    expect(report.violations).toEqual([]);
    expect(report.counts.interrupted).toBe(1);
    expect(report.api5xx).toEqual([]); // a 500 carrying the task is the task's outcome, not an API failure
  });

  it('reports an effect committed twice as duplicated', () => {
    const bodies: HistoryEventBody[] = cleanRun().filter((e) => e.type !== 'effects');
    bodies.push({ type: 'effects', vmId: VM, ops: ['o1', 'o2', 'o1'] });
    const report = checkHistory(history(bodies));
    expect(report.valid).toBe(false);
    expect(report.duplicated).toEqual([{ op: 'o1', effects: 2, executions: 1, vms: [VM] }]);
  });

  it('falls back to duplicated effects for stale writes when the history has no state changes', () => {
    const bodies: HistoryEventBody[] = cleanRun().filter(
      (e) => e.type !== 'effects' && e.type !== 'state-change',
    );
    bodies.push({ type: 'effects', vmId: VM, ops: ['o1', 'o1', 'o2'] });
    const report = checkHistory(history(bodies));
    expect(report.staleSource).toBe('duplicated-effects');
    expect(report.stale.map((s) => s.op)).toEqual(['o1']);
  });

  it('reports a completion accepted after another attempt re-claimed the task as stale, and the re-run', () => {
    const bodies: HistoryEventBody[] = cleanRun().filter(
      (e) => !(e.type === 'state-change' && e.entityId === 't-o1'),
    );
    bodies.push(claim('o1', 'pending', 'attempt 1 on w1'));
    bodies.push(claim('o1', 'processing', 'attempt 2 on w2'));
    bodies.push(end('o1', 'completed'));
    const report = checkHistory(history(bodies));
    expect(report.stale).toHaveLength(1);
    expect(report.stale[0]!.why).toMatch(/re-claimed/);
    expect(report.reruns).toEqual([
      { op: 'o1', taskId: 't-o1', claims: 2, reasons: ['attempt 1 on w1', 'attempt 2 on w2'] },
    ]);
  });

  it('reports effects of ops never submitted, or rejected, as unexpected', () => {
    const bodies: HistoryEventBody[] = cleanRun().filter((e) => e.type !== 'effects');
    bodies.push({ type: 'invoke', op: 'o3', vmId: VM, loop: 2 });
    bodies.push(
      answer('fail', 'o3', { httpStatus: 409, code: 'ERR_VM_NOT_RUNNING', taskId: null, executionId: null }),
    );
    bodies.push({ type: 'effects', vmId: VM, ops: ['o1', 'o2', 'o3', 'zz'] });
    const report = checkHistory(history(bodies));
    expect(report.unexpected.map((u) => u.op).sort()).toEqual(['o3', 'zz']);
  });

  it('flags 5xx answers other than 503, uncoded 503s, bad probes and crashes', () => {
    const bodies: HistoryEventBody[] = cleanRun();
    bodies.push({ type: 'invoke', op: 'o4', vmId: VM, loop: 0 });
    bodies.push(
      answer('info', 'o4', {
        httpStatus: 500,
        code: 'ERR_INTERNAL',
        taskId: null,
        executionId: null,
        taskOutcome: false,
      }),
    );
    bodies.push({
      type: 'probe',
      during: 'pg-down',
      method: 'GET',
      path: '/vms',
      httpStatus: 503,
      code: null,
      ms: 3,
    });
    bodies.push({
      type: 'probe',
      during: 'pg-down',
      method: 'GET',
      path: '/vms',
      httpStatus: 503,
      code: 'ERR_STORE_UNAVAILABLE',
      ms: 3,
    });
    bodies.push({ type: 'exit', process: 'w2', pid: 42, code: 1, signal: null, expected: false });
    const report = checkHistory(history(bodies));
    expect(report.api5xx).toHaveLength(1);
    expect(report.uncoded503).toHaveLength(1);
    expect(report.probes).toEqual([
      { during: 'pg-down', total: 2, violations: [expect.objectContaining({ code: null })] },
    ]);
    expect(report.crashes).toHaveLength(1);
    expect(report.valid).toBe(false);
  });

  it('measures how long workers take to complete new work after Redis is back', () => {
    const bodies: HistoryEventBody[] = [
      { type: 'vm', vmId: VM, name: 'fault-1', workerId: 'w1' },
      { type: 'vm', vmId: 'vm-2', name: 'fault-2', workerId: 'w2' },
      { type: 'redis-down' },
      { type: 'redis-up' }, // t0 + 30
      { type: 'invoke', op: 'o1', vmId: VM, loop: 0 },
      answer('ok', 'o1'), // t0 + 50
      { type: 'invoke', op: 'o2', vmId: 'vm-2', loop: 1 },
    ];
    const report = checkHistory(history(bodies), { resumeLimitMs: 10_000 });
    expect(report.redisResume).toEqual([{ upAt: 1_000_030, perWorker: { w1: 20, w2: null }, maxMs: null }]);
    expect(report.violations.some((v) => v.includes('Redis restart'))).toBe(true);
  });

  it('reads op markers back from an execution argv', () => {
    const { command, args } = effectCommand('o12');
    expect(opOfExecution(command, args)).toBe('o12');
    expect(opOfExecution('cat', ['/home/user/effects'])).toBeNull();
  });
});
