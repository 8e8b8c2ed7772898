import { describe, expect, it } from 'vitest';
import { canTransitionTask, isTaskTerminal, TASK_STATUSES } from './task.js';
import { canTransitionVm, isVmTerminal, VM_STATUSES } from './vm.js';

describe('VM lifecycle', () => {
  it('walks the happy path pending → creating → running → stopping → deleted', () => {
    const path = ['pending', 'creating', 'running', 'stopping', 'deleted'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransitionVm(path[i - 1]!, path[i]!)).toBe(true);
  });

  it('lets nothing leave deleted, and only deleted is terminal', () => {
    for (const to of VM_STATUSES) expect(canTransitionVm('deleted', to)).toBe(false);
    expect(VM_STATUSES.filter(isVmTerminal)).toEqual(['deleted']);
  });

  it('can fail from any live state but cannot skip creating', () => {
    expect(canTransitionVm('pending', 'running')).toBe(false);
    for (const from of ['pending', 'creating', 'running'] as const)
      expect(canTransitionVm(from, 'failed')).toBe(true);
  });
});

describe('task lifecycle', () => {
  it('retries go back to pending; terminal states are final', () => {
    expect(canTransitionTask('processing', 'pending')).toBe(true);
    for (const status of TASK_STATUSES.filter(isTaskTerminal)) {
      for (const to of TASK_STATUSES) expect(canTransitionTask(status, to)).toBe(false);
    }
    expect(TASK_STATUSES.filter(isTaskTerminal)).toEqual(['completed', 'failed', 'cancelled']);
  });
});
