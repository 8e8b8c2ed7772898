import { describe, expect, it } from 'vitest';
import { logViewOf, parseSince } from '../src/pages/logs/log-filter';
import { addLines, emptyLogWindow, type LogLine } from '../src/pages/logs/log-window';

function line(id: string, second: number): LogLine {
  return {
    id,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    level: 'info',
    service: 'worker',
    project: 'default',
    worker: null,
    vm_id: null,
    task_id: null,
    execution_id: null,
    message: id,
    fields: {},
  };
}

const ids = (lines: readonly LogLine[]) => lines.map((l) => l.id);

describe('addLines', () => {
  it('keeps each line once when a backlog overlaps what is shown', () => {
    const shown = addLines(emptyLogWindow, [line('a', 1), line('b', 2)], 10);
    const next = addLines(shown, [line('b', 2), line('c', 3)], 10);
    expect(ids(next.lines)).toEqual(['a', 'b', 'c']);
    expect(next.dropped).toBe(0);
  });

  it('places a late line by its time, after lines of the same instant', () => {
    const shown = addLines(emptyLogWindow, [line('a', 1), line('b', 3), line('c', 5)], 10);
    const next = addLines(shown, [line('late', 3), line('new', 6)], 10);
    expect(ids(next.lines)).toEqual(['a', 'b', 'late', 'c', 'new']);
  });

  it('drops the oldest lines past the capacity and counts them', () => {
    let window = emptyLogWindow;
    for (let i = 0; i < 7; i++) window = addLines(window, [line(`l${i}`, i)], 3);
    expect(ids(window.lines)).toEqual(['l4', 'l5', 'l6']);
    expect(window.dropped).toBe(4);
  });

  it('returns the same window when nothing comes', () => {
    const shown = addLines(emptyLogWindow, [line('a', 1)], 10);
    expect(addLines(shown, [], 10)).toBe(shown);
  });
});

describe('logViewOf', () => {
  it('reads the filters under the names of the CLI flags', () => {
    const view = logViewOf(new URLSearchParams('vm=web&task=t1&execution=e1&level=WARN&grep=boom&since=2h'));
    expect(view).toEqual({
      filter: { vm_id: 'web', task_id: 't1', execution_id: 'e1', level: 'warn', text: 'boom' },
      sinceMs: 2 * 3_600_000,
    });
  });

  it('leaves out empty filters', () => {
    expect(logViewOf(new URLSearchParams('vm=&level='))).toEqual({ filter: {}, sinceMs: undefined });
  });

  it('refuses an unknown level or duration, naming the filter', () => {
    expect(() => logViewOf(new URLSearchParams('level=loud'))).toThrow(/^Level: use one of trace/);
    expect(() => parseSince('yesterday')).toThrow(/^Since: use a duration/);
    expect(parseSince('30s')).toBe(30_000);
  });
});
