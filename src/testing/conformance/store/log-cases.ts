import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type LogQuery, type LogRecord, OUTPUT_LOG_SOURCE } from '../../../core/logs.js';
import type { SuiteContext } from './fixtures.js';

function line(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    time: new Date(),
    level: 'info',
    service: 'worker',
    project: 'default',
    worker: 'w-logs',
    vmId: null,
    taskId: null,
    executionId: null,
    message: 'hello',
    fields: {},
    ...overrides,
  };
}

const all = (filter: Partial<LogQuery>): LogQuery => ({ limit: 1000, order: 'asc', ...filter });

export function describeLogCases(ctx: SuiteContext): void {
  describe('log lines', () => {
    it('stores a batch and reads it back with every field', async () => {
      const store = ctx.store();
      const vmId = randomUUID();
      const at = new Date('2030-01-02T03:04:05.678Z');
      const input = line({
        time: at,
        level: 'warn',
        vmId,
        taskId: 't-1',
        executionId: 'e-1',
        message: 'careful: "quoted" \\ and ünïcode',
        fields: { attempt: 2, nested: { ok: true } },
      });
      await store.appendLogs([input, line({ vmId, time: new Date(at.getTime() + 1) })]);
      const found = await store.queryLogs(all({ vmId }));
      expect(found).toHaveLength(2);
      expect(found[0]).toMatchObject({ ...input, time: at });
      expect(found[0]!.id).toMatch(/^\d+$/);
      expect(found[0]!.time).toBeInstanceOf(Date);
    });

    it('filters by every field, level as a minimum and text as a substring', async () => {
      const store = ctx.store();
      const vmId = randomUUID();
      const t0 = Date.now();
      await store.appendLogs([
        line({ vmId, level: 'debug', message: 'a 100% match_here', time: new Date(t0) }),
        line({ vmId, level: 'info', taskId: 'task-a', message: 'two', time: new Date(t0 + 10) }),
        line({ vmId, level: 'error', executionId: 'exec-a', message: 'three', time: new Date(t0 + 20) }),
        line({ vmId, level: 'fatal', project: 'other', message: 'four', time: new Date(t0 + 30) }),
      ]);
      const messages = async (q: Partial<LogQuery>) =>
        (await store.queryLogs(all({ vmId, ...q }))).map((l) => l.message);
      expect(await messages({ minLevel: 'error' })).toEqual(['three', 'four']);
      expect(await messages({ taskId: 'task-a' })).toEqual(['two']);
      expect(await messages({ executionId: 'exec-a' })).toEqual(['three']);
      expect(await messages({ project: 'other' })).toEqual(['four']);
      // % and _ are not wildcards: the text is matched as it is.
      expect(await messages({ text: '100% match_' })).toEqual(['a 100% match_here']);
      expect(await messages({ text: '%' })).toEqual(['a 100% match_here']);
      expect(await messages({ text: 'Two' })).toEqual([]);
      expect(await messages({ start: new Date(t0 + 10), end: new Date(t0 + 30) })).toEqual(['two', 'three']);
    });

    it('orders newest first with a limit, or oldest first', async () => {
      const store = ctx.store();
      const vmId = randomUUID();
      const t0 = Date.now();
      await store.appendLogs(
        [0, 1, 2, 3].map((i) => line({ vmId, message: `m${i}`, time: new Date(t0 + i) })),
      );
      const newest = await store.queryLogs({ vmId, limit: 2, order: 'desc' });
      expect(newest.map((l) => l.message)).toEqual(['m3', 'm2']);
      const oldest = await store.queryLogs({ vmId, limit: 2, order: 'asc' });
      expect(oldest.map((l) => l.message)).toEqual(['m0', 'm1']);
    });

    it('keeps platform lines (no project) out of a project filter', async () => {
      const store = ctx.store();
      const vmId = randomUUID();
      await store.appendLogs([line({ vmId, project: null }), line({ vmId, project: 'default' })]);
      expect(await store.queryLogs(all({ vmId, project: 'default' }))).toHaveLength(1);
      expect(await store.queryLogs(all({ vmId }))).toHaveLength(2);
    });

    it('stores NUL in text and fields as U+FFFD, and big batches in one call', async () => {
      const store = ctx.store();
      const vmId = randomUUID();
      const many = Array.from({ length: 4500 }, (_, i) => line({ vmId, message: `n${i}` }));
      many[0] = line({ vmId, message: 'a\0b', fields: { raw: 'c\0d' } });
      await store.appendLogs(many);
      const found = await store.queryLogs({ vmId, limit: 5000, order: 'asc' });
      expect(found).toHaveLength(4500);
      expect(found.find((l) => l.message.startsWith('a'))).toMatchObject({
        message: 'a\uFFFDb',
        fields: { raw: 'c\uFFFDd' },
      });
    });

    it('prunes by age, then down to the newest rows', async () => {
      const store = ctx.store();
      const vmId = randomUUID();
      await store.appendLogs([
        line({ vmId, message: 'ancient', time: new Date('2000-01-01T00:00:00Z') }),
        line({ vmId, message: 'recent' }),
      ]);
      const pruned = await store.pruneLogs({
        maxRows: { platform: 1_000_000, output: 1_000_000 },
        olderThan: new Date('2001-01-01T00:00:00Z'),
      });
      expect(pruned.expired).toBeGreaterThanOrEqual(1);
      expect(pruned.overCap).toEqual({ platform: 0, output: 0 });
      expect((await store.queryLogs(all({ vmId }))).map((l) => l.message)).toEqual(['recent']);

      await store.appendLogs([line({ vmId, message: 'newest' })]);
      await store.pruneLogs({ maxRows: { platform: 1, output: 1 }, olderThan: new Date(0) });
      expect((await store.queryLogs(all({ vmId }))).map((l) => l.message)).toEqual(['newest']);
    });

    it("caps command output apart: a flood of it never evicts the platform's warnings", async () => {
      const store = ctx.store();
      const vmId = randomUUID();
      const warnings = [0, 1, 2].map((i) =>
        line({ vmId, project: null, level: 'warn', message: `platform warning ${i}` }),
      );
      await store.appendLogs(warnings);
      const flood = Array.from({ length: 3000 }, (_, i) =>
        line({
          vmId,
          executionId: 'e-flood',
          message: String(i + 1),
          fields: { stream: 'stdout', source: OUTPUT_LOG_SOURCE },
        }),
      );
      await store.appendLogs(flood);
      const cap = { platform: 1000, output: 200 };
      const pruned = await store.pruneLogs({ maxRows: cap, olderThan: new Date(0) });

      // The platform's lines are all there; output is cut to its cap, its newest lines kept.
      const left = await store.queryLogs({ vmId, minLevel: 'warn', limit: 1000, order: 'asc' });
      expect(left.map((l) => l.message)).toEqual(warnings.map((w) => w.message));
      const output = await store.queryLogs({ vmId, executionId: 'e-flood', limit: 1000, order: 'asc' });
      expect(output.length).toBeLessThanOrEqual(cap.output);
      expect(output.at(-1)?.message).toBe('3000');
      // What went is said per kind: output only (this database may hold other cases' lines too).
      expect(pruned.overCap.output).toBeGreaterThanOrEqual(flood.length - cap.output);
      expect(pruned.overCap.platform).toBe(0);
    });
  });
}
