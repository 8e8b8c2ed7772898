import { describe, expect, it } from 'vitest';
import type { TaskPriority } from '../../core/task.js';
import { WaitingList } from './waiting-list.js';

const item = (taskId: string, priority: TaskPriority = 'default') => ({ taskId, priority });

function drain(list: WaitingList<{ taskId: string; priority: TaskPriority }>): string[] {
  const ids: string[] = [];
  for (let next = list.shift(); next; next = list.shift()) ids.push(next.taskId);
  return ids;
}

describe('WaitingList', () => {
  it('gives critical first, FIFO within a priority', () => {
    const list = new WaitingList();
    for (const [id, priority] of [
      ['a', 'low'],
      ['b', 'default'],
      ['c', 'high'],
      ['d', 'critical'],
      ['e', 'high'],
    ] as const)
      list.push(item(id, priority));
    expect(list.size).toBe(5);
    expect(drain(list)).toEqual(['d', 'c', 'e', 'b', 'a']);
    expect(list.size).toBe(0);
  });

  it('skips removed items, and a re-pushed id takes its new place', () => {
    const list = new WaitingList();
    for (const id of ['a', 'b', 'c']) list.push(item(id));
    expect(list.delete('a')).toBe(true);
    expect(list.delete('a')).toBe(false);
    list.push(item('a'));
    expect(list.size).toBe(3);
    expect(drain(list)).toEqual(['b', 'c', 'a']);
  });

  it('stays linear on a large backlog with removals', () => {
    const list = new WaitingList();
    const n = 200_000;
    for (let i = 0; i < n; i++) list.push(item(`t${i}`, i % 2 === 0 ? 'default' : 'low'));
    for (let i = 0; i < n; i += 3) list.delete(`t${i}`);
    const t0 = performance.now();
    const ids = drain(list);
    expect(ids).toHaveLength(n - Math.ceil(n / 3));
    expect(ids[0]).toBe('t2');
    // A quadratic scan would take seconds here.
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
