import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../core/task.js';
import { taskResultJson } from './serialize-task-result.js';

const VM = '6b0a1d3e-1111-4c1e-9b7e-0a1b2c3d4e5f';
const EXECUTION = '6b0a1d3e-2222-4c1e-9b7e-0a1b2c3d4e5f';

function taskOf(fields: Partial<TaskRecord>): TaskRecord {
  return { type: 'vm:execute', vmId: VM, result: null, ...fields } as TaskRecord;
}

describe("a task's result on the wire", () => {
  it("has ours and the original's snake_case names, and a command's VM", () => {
    const task = taskOf({ result: { executionId: EXECUTION, exitCode: 2, timedOut: false } });
    expect(taskResultJson(task, { stdout: 'out', stderr: 'err' })).toEqual({
      executionId: EXECUTION,
      exitCode: 2,
      timedOut: false,
      execution_id: EXECUTION,
      exit_code: 2,
      timed_out: false,
      vm_id: VM,
      stdout: 'out',
      stderr: 'err',
    });
  });

  it('renames every key of every type, and leaves a missing result missing', () => {
    const created = taskOf({ type: 'vm:create', result: { vmId: VM, status: 'running' } });
    expect(taskResultJson(created)).toEqual({ vmId: VM, status: 'running', vm_id: VM });
    expect(taskResultJson(taskOf({ result: null }))).toBeNull();
  });
});
