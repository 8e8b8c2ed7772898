import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { LogRecord } from '../core/logs.js';
import { prettyLine } from './pretty.js';
import { recordFromLog } from './record.js';
import { teeLogger } from './tee-logger.js';

function capture() {
  const records: LogRecord[] = [];
  return { records, sink: { write: (r: LogRecord) => void records.push(r) } };
}

describe('log records', () => {
  it('take ids under either spelling, the call winning over the bindings', () => {
    const record = recordFromLog(
      'warn',
      { service: 'worker', workerId: 'w1', project: 'p', vm_id: 'vm-bound', component: 'worker' },
      { vmId: 'vm-call', task_id: 't1', executionId: 'e1', attempt: 2 },
      'hello',
    );
    expect(record).toMatchObject({
      level: 'warn',
      service: 'worker',
      worker: 'w1',
      project: 'p',
      vmId: 'vm-call',
      taskId: 't1',
      executionId: 'e1',
      message: 'hello',
      fields: { component: 'worker', attempt: 2 },
    });
  });

  it('keep errors, bigints and cycles as JSON without throwing', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const error = Object.assign(new Error('boom', { cause: new Error('root') }), { code: 'E_X' });
    const record = recordFromLog('error', {}, { err: error, big: 10n, cyclic }, undefined);
    expect(record.message).toBe('');
    expect(record.fields).toMatchObject({
      err: { type: 'Error', message: 'boom', code: 'E_X', cause: { message: 'root' } },
      big: '10',
      cyclic: { name: 'loop' },
    });
    expect(JSON.stringify(record.fields)).toBeTruthy();
  });
});

describe('the tee logger', () => {
  it('ships lines at or above its level, with the bindings of every child', () => {
    const { records, sink } = capture();
    const root = teeLogger(silentLogger, sink, 'info', { service: 'up' });
    const task = root.child({ task_id: 't1', project: 'alpha' }).child({ vm_id: 'vm1' });
    task.debug({}, 'too low');
    task.info({ step: 1 }, 'started');
    root.error({}, 'platform trouble');
    expect(records.map((r) => [r.level, r.message, r.service, r.project, r.taskId, r.vmId])).toEqual([
      ['info', 'started', 'up', 'alpha', 't1', 'vm1'],
      ['error', 'platform trouble', 'up', null, null, null],
    ]);
  });

  it('ships nothing when silent, and never throws when the sink does', () => {
    const { records, sink } = capture();
    teeLogger(silentLogger, sink, 'silent').error({}, 'x');
    expect(records).toEqual([]);
    const broken = teeLogger(
      silentLogger,
      {
        write: () => {
          throw new Error('full');
        },
      },
      'info',
    );
    expect(() => broken.info({}, 'still fine')).not.toThrow();
  });
});

describe('pretty output', () => {
  it('turns a pino line into a readable one', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.parse('2030-01-01T12:04:05.123Z'),
      pid: 1,
      service: 'worker',
      msg: 'slow',
      vm_id: 'abc',
      n: 2,
    });
    expect(prettyLine(line)).toBe('12:04:05.123 WARN  worker  slow vm_id=abc n=2\n');
    expect(prettyLine('not json')).toBe('not json\n');
    const colored = prettyLine(line, true);
    expect(colored).toContain('\x1b[33mWARN ');
  });
});
