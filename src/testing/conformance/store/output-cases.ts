import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import { type OutputChunk, type OutputStream, outputText } from '../../../core/output.js';
import type { AttemptFence } from '../../../core/store.js';
import { claimedExecution, outcome, type SuiteContext } from './fixtures.js';

/** Chunks numbered from `firstSeq`, with offsets running on per stream from `offsets`. */
function chunks(
  parts: [OutputStream, string | Uint8Array][],
  firstSeq = 1,
  offsets: Record<OutputStream, number> = { stdout: 0, stderr: 0 },
): OutputChunk[] {
  return parts.map(([stream, content], i) => {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const chunk = { seq: firstSeq + i, stream, offset: offsets[stream], data: new Uint8Array(data) };
    offsets[stream] += data.byteLength;
    return chunk;
  });
}

/** Every byte value, so nothing is lost to text encodings on the way in or out. */
const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, i) => i);

export function describeOutputCases(ctx: SuiteContext): void {
  describe('execution output chunks', () => {
    /** An execution whose task is claimed, with the fence of that claim. */
    async function runningExecution(): Promise<{ id: string; fence: AttemptFence }> {
      const { execution, fence } = await claimedExecution(ctx.store());
      return { id: execution.id, fence };
    }

    it('stores chunks byte for byte and lists them in seq order from a point', async () => {
      const store = ctx.store();
      const { id, fence } = await runningExecution();
      const written = chunks([
        ['stdout', 'héllo '],
        ['stderr', EVERY_BYTE],
        ['stdout', 'wörld\n'],
        ['stdout', new Uint8Array(0)],
      ]);
      expect(await store.appendExecutionOutput(id, written.slice(0, 2), fence)).toBe(true);
      expect(await store.appendExecutionOutput(id, written.slice(2), fence)).toBe(true);
      const read = await store.listExecutionOutput(id);
      expect(read).toEqual(written);
      expect(read[1]!.data).toBeInstanceOf(Uint8Array);
      expect(await store.listExecutionOutput(id, { afterSeq: 2 })).toEqual(written.slice(2));
      expect(await store.listExecutionOutput(id, { afterSeq: 1, limit: 2 })).toEqual(written.slice(1, 3));
      expect(await store.listExecutionOutput(id, { afterSeq: 4 })).toEqual([]);
      expect(await store.listExecutionOutput(newId())).toEqual([]);
      expect(await store.listExecutionOutput('not-an-id')).toEqual([]);
    });

    it('keeps offsets beyond 32 bits', async () => {
      const store = ctx.store();
      const { id, fence } = await runningExecution();
      const far = chunks([['stdout', 'x']], 1, { stdout: 2 ** 40, stderr: 0 });
      await store.appendExecutionOutput(id, far, fence);
      expect((await store.listExecutionOutput(id))[0]?.offset).toBe(2 ** 40);
    });

    it('keeps a seq it already has when a batch is written again', async () => {
      const store = ctx.store();
      const { id, fence } = await runningExecution();
      const first = chunks([
        ['stdout', 'a'],
        ['stdout', 'b'],
      ]);
      await store.appendExecutionOutput(id, first, fence);
      const next = chunks([['stdout', 'c']], 3, { stdout: 2, stderr: 0 });
      await store.appendExecutionOutput(id, next, fence);
      // Written again, with different bytes under seq 3: the stored one stays.
      const again = chunks([['stdout', 'Z']], 3, { stdout: 2, stderr: 0 });
      expect(await store.appendExecutionOutput(id, again, fence)).toBe(true);
      expect((await store.listExecutionOutput(id)).map((c) => Buffer.from(c.data).toString())).toEqual([
        'a',
        'b',
        'c',
      ]);
    });

    it('refuses chunks once the execution is complete, or from an attempt that lost its task', async () => {
      const store = ctx.store();
      const { id, fence } = await runningExecution();
      await store.appendExecutionOutput(id, chunks([['stdout', 'kept']]), fence);
      const stale = { ...fence, fencingToken: fence.fencingToken - 1 };
      const late = chunks([['stdout', 'late']], 2, { stdout: 4, stderr: 0 });
      expect(await store.appendExecutionOutput(id, late, stale)).toBe(false);
      await store.completeExecution(id, outcome({ stdout: 'kept' }), fence);
      expect(await store.appendExecutionOutput(id, late, fence)).toBe(false);
      expect(await store.appendExecutionOutput(id, late)).toBe(false);
      expect((await store.listExecutionOutput(id)).map((c) => c.seq)).toEqual([1]);
      expect(await store.appendExecutionOutput(newId(), late)).toBe(false);
    });

    it("replaces an earlier attempt's chunks when a new attempt writes from seq 1", async () => {
      const store = ctx.store();
      const { id, fence } = await runningExecution();
      await store.appendExecutionOutput(
        id,
        chunks([
          ['stdout', 'first '],
          ['stdout', 'attempt'],
        ]),
        fence,
      );
      const reclaimed = await store.transitionTask(
        fence.taskId,
        { from: ['processing'], to: 'processing', reason: 'taken over' },
        { newAttempt: true },
      );
      const next = { taskId: fence.taskId, fencingToken: reclaimed!.fencingToken };
      // The old attempt's writes are refused; the new one's first batch replaces its chunks.
      expect(await store.appendExecutionOutput(id, chunks([['stdout', 'stale']]), fence)).toBe(false);
      expect(await store.appendExecutionOutput(id, chunks([['stderr', 'second']]), next)).toBe(true);
      const read = await store.listExecutionOutput(id);
      expect(read.map((c) => [c.seq, c.stream, Buffer.from(c.data).toString()])).toEqual([
        [1, 'stderr', 'second'],
      ]);
    });

    it('holds output whose text is the execution record: the record is the chunks decoded', async () => {
      const store = ctx.store();
      const { id, fence } = await runningExecution();
      const bytes = Buffer.from('añb€\u{1F680}', 'utf8');
      // Split inside characters: the text comes from the joined bytes, not chunk by chunk.
      const written = chunks([
        ['stdout', bytes.subarray(0, 2)],
        ['stdout', bytes.subarray(2, 7)],
        ['stdout', bytes.subarray(7)],
      ]);
      await store.appendExecutionOutput(id, written, fence);
      const joined = Buffer.concat((await store.listExecutionOutput(id)).map((c) => c.data));
      expect(outputText(joined)).toBe('añb€\u{1F680}');
    });
  });
}
