/**
 * followExecution against a real store (PGlite) and a real event bus, with the worker's side
 * played by hand so events can be lost, late or early on purpose. What it yields is checked as
 * the stream routes send it (their wire mapping).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../../test/support/memory-store.js';
import type { EventBus } from '../../core/events.js';
import type { OutputChunk, OutputStream } from '../../core/output.js';
import type { Store } from '../../core/store.js';
import { createLocalEventBus } from '../../events/local/local-event-bus.js';
import { type StreamMessage, streamMessageOf } from '../../gateway/streaming/execution-stream.js';
import { claimedExecution, outcome } from '../../testing/conformance/store/fixtures.js';
import { type ExecutionSource, followExecution } from './follow-execution.js';

let store: Store;
beforeAll(async () => {
  store = await openMemoryStore();
});
afterAll(async () => {
  await store.close();
});

/** A running execution, and the worker's moves on it. */
async function running(events: EventBus) {
  const { execution: input, task, fence } = await claimedExecution(store);
  const offsets: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  let seq = 0;
  const text: Record<OutputStream, string> = { stdout: '', stderr: '' };
  return {
    id: input.id,
    taskId: task.id,
    fence,
    chunk(stream: OutputStream, content: string): OutputChunk {
      const data = Buffer.from(content);
      const chunk = { seq: ++seq, stream, offset: offsets[stream], data };
      offsets[stream] += data.byteLength;
      text[stream] += content;
      return chunk;
    },
    store: (chunks: OutputChunk[]) => store.appendExecutionOutput(input.id, chunks, fence),
    publish: (chunk: OutputChunk) =>
      events.publish('execution.output', {
        executionId: input.id,
        taskId: task.id,
        stream: chunk.stream,
        seq: chunk.seq,
        offset: chunk.offset,
        data: Buffer.from(chunk.data).toString('base64'),
      }),
    async complete(publish = true) {
      await store.completeExecution(input.id, outcome({ exitCode: 0, ...text }), fence);
      if (publish)
        await events.publish('execution.completed', { executionId: input.id, taskId: task.id, exitCode: 0 });
    },
  };
}

function sourceOf(id: string): ExecutionSource {
  return {
    execution: async () => (await store.getExecution(id))!,
    chunks: (execution, afterSeq, limit) => store.listExecutionOutput(execution.id, { afterSeq, limit }),
    task: async (execution) => {
      const task = execution.taskId ? await store.getTask(execution.taskId) : null;
      return task ? { status: task.status, error: task.error } : null;
    },
  };
}

/** Starts following; `messages` fills as they are sent, `done` settles at the end. */
async function follow(
  events: EventBus,
  id: string,
  options: { afterSeq?: number; pollIntervalMs?: number } = {},
) {
  const messages: StreamMessage[] = [];
  const abort = new AbortController();
  const output = followExecution(events, sourceOf(id), (await store.getExecution(id))!, {
    afterSeq: options.afterSeq ?? 0,
    signal: abort.signal,
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
  });
  const done = (async () => {
    for await (const event of output) messages.push(streamMessageOf(event));
  })();
  return { messages, done, abort };
}

const seqs = (messages: StreamMessage[]) => messages.flatMap((m) => (m.type === 'chunk' ? [m.seq] : []));

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('followExecution', () => {
  it('replays what is stored, then sends live events in order, each chunk once', async () => {
    const events = createLocalEventBus();
    const run = await running(events);
    const first = [run.chunk('stdout', 'a'), run.chunk('stderr', 'b')];
    await run.store(first);
    const { messages, done } = await follow(events, run.id);
    await until('the replay', () => messages.length === 2);
    // Published again after the replay: already sent, dropped.
    await run.publish(first[1]!);
    const next = run.chunk('stdout', 'c');
    await run.publish(next);
    await until('the live chunk', () => messages.length === 3);
    await run.store([next]);
    await run.complete();
    await done;
    expect(seqs(messages)).toEqual([1, 2, 3]);
    expect(messages.at(-1)).toMatchObject({ type: 'exit', exit_code: 0 });
  });

  it('fills a gap left by a lost event from the store, and holds later events until then', async () => {
    const events = createLocalEventBus();
    const run = await running(events);
    const { messages, done } = await follow(events, run.id);
    const lost = run.chunk('stdout', 'lost on the bus ');
    const later = run.chunk('stdout', 'arrives first');
    await run.publish(later);
    await sleep(100);
    // Seq 2 waits for seq 1, which only the store will bring.
    expect(seqs(messages)).toEqual([]);
    await run.store([lost, later]);
    await until('the gap to fill', () => messages.length === 2);
    expect(seqs(messages)).toEqual([1, 2]);
    await run.complete();
    await done;
    expect(messages.at(-1)?.type).toBe('exit');
  });

  it('ends when the completion event is lost, at the next look at the store', async () => {
    const events = createLocalEventBus();
    const run = await running(events);
    const { messages, done } = await follow(events, run.id, { pollIntervalMs: 100 });
    const only = run.chunk('stderr', 'x');
    await run.store([only]);
    await run.complete(false);
    await done;
    expect(messages.map((m) => m.type)).toEqual(['chunk', 'exit']);
  });

  it("ends with the task's error when the task fails before the execution is recorded", async () => {
    const events = createLocalEventBus();
    const run = await running(events);
    const { messages, done } = await follow(events, run.id);
    const error = { code: 'ERR_VM_NOT_RUNNING' as const, message: 'VM is stopped', retryable: false };
    const failed = await store.transitionTask(
      run.taskId,
      { from: ['processing'], to: 'failed', reason: 'x', fencingToken: run.fence.fencingToken },
      { error },
    );
    await events.publish('task.updated', { taskId: run.taskId, type: 'vm:execute', status: 'failed', error });
    await done;
    expect(failed?.status).toBe('failed');
    expect(messages).toEqual([{ type: 'error', scope: 'execution', ...error }]);
  });

  it('starts after `afterSeq` and stops, unsubscribed, when aborted', async () => {
    const events = createLocalEventBus();
    let active = 0;
    const counted =
      (unsubscribe: () => void): (() => void) =>
      () => {
        active--;
        unsubscribe();
      };
    const counting: EventBus = {
      ...events,
      subscribe: (event, handler) => {
        active++;
        return counted(events.subscribe(event, handler));
      },
      subscribeExecution: (event, executionId, handler) => {
        active++;
        return counted(events.subscribeExecution(event, executionId, handler));
      },
    };
    const run = await running(events);
    await run.store([run.chunk('stdout', '1'), run.chunk('stdout', '2'), run.chunk('stdout', '3')]);
    const { messages, done, abort } = await follow(counting, run.id, { afterSeq: 2 });
    await until('the chunk after seq 2', () => messages.length === 1);
    expect(seqs(messages)).toEqual([3]);
    expect(active).toBeGreaterThan(0);
    abort.abort();
    await done;
    expect(active).toBe(0);
  });
});
