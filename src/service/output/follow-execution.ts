import type { WireError } from '../../core/errors.js';
import type { EventBus, Unsubscribe } from '../../core/events.js';
import type { ExecutionRecord } from '../../core/execution.js';
import type { OutputChunk, OutputEvent } from '../../core/output.js';
import { isTaskTerminal, type TaskStatus } from '../../core/task.js';
import { legacyChunks } from './legacy-chunks.js';

/** Where a follower reads an execution from: the store, as one caller may see it. */
export interface ExecutionSource {
  /** The execution as it is now. */
  execution(): Promise<ExecutionRecord>;
  /** Its stored chunks with seq above `afterSeq`, in order, at most `limit`. */
  chunks(execution: ExecutionRecord, afterSeq: number, limit: number): Promise<OutputChunk[]>;
  /** The task that runs it, if any. */
  task(execution: ExecutionRecord): Promise<{ status: TaskStatus; error: WireError | null } | null>;
}

export interface FollowExecutionOptions {
  /** Yield chunks with seq above this one (0: from the start). */
  afterSeq: number;
  /** The reader left, or its process is closing: stop, yielding nothing more. */
  signal: AbortSignal;
  /** How often to read the store when no event comes, in case one was lost. Default 2 000. */
  pollIntervalMs?: number;
}

/** Chunks replayed per store read. */
const PAGE = 500;
/** How soon to read the store again while a gap in the live events is not filled yet (at first). */
const GAP_RETRY_MS = 40;
/** Live chunks held back behind a gap or a slow reader, in bytes; past it the store catches up. */
const LIVE_LIMIT_BYTES = 6 * 1024 * 1024;

/**
 * An execution's output from `afterSeq` to its end, then the end itself, with no gap and no
 * duplicate, whichever process runs it:
 * - it subscribes to the execution's events first (and waits until the subscription is live),
 *   then replays the store, then yields live chunks in seq order, dropping those already replayed;
 * - a live chunk beyond the next seq means one is missing (lost, or published before the
 *   subscription took effect and not stored yet): the store is read until the gap is filled —
 *   the worker stores every chunk within ~50 ms, and all of them before the execution completes;
 * - the end is read from the store, when an event says the execution or its task ended, and
 *   every `pollIntervalMs` in case such an event was lost.
 * Bytes stay bytes: a live event's base64 is decoded once, here. The iteration ends after the
 * end, or early when the signal aborts (or the reader stops iterating); every subscription is
 * gone by then. It throws when the store cannot be read.
 */
export async function* followExecution(
  events: EventBus,
  source: ExecutionSource,
  first: ExecutionRecord,
  options: FollowExecutionOptions,
): AsyncGenerator<OutputEvent, void, undefined> {
  const { signal } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const id = first.id;
  const live = new Map<number, OutputChunk>();
  let liveBytes = 0;
  let delivered = options.afterSeq;
  let endHinted = true;
  let wake: (() => void) | null = null;
  const poke = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };

  const subscriptions: Unsubscribe[] = [
    events.subscribeExecution('execution.output', id, (event) => {
      if (event.seq <= delivered || live.has(event.seq)) return;
      const data = Buffer.from(event.data, 'base64');
      if (liveBytes + data.byteLength > LIVE_LIMIT_BYTES) return;
      live.set(event.seq, { seq: event.seq, stream: event.stream, offset: event.offset, data });
      liveBytes += data.byteLength;
      poke();
    }),
    events.subscribeExecution('execution.completed', id, () => {
      endHinted = true;
      poke();
    }),
    events.subscribe('task.updated', (event) => {
      if (event.taskId !== first.taskId || !isTaskTerminal(event.status)) return;
      endHinted = true;
      poke();
    }),
  ];
  signal.addEventListener('abort', poke);

  async function* deliver(chunk: OutputChunk): AsyncGenerator<OutputEvent> {
    if (chunk.seq <= delivered) return;
    yield { type: 'chunk', ...chunk };
    delivered = chunk.seq;
  }

  /** Yields the live chunks that continue the stream; what is left is beyond a gap. */
  async function* drainLive(): AsyncGenerator<OutputEvent> {
    for (let next = live.get(delivered + 1); next && !signal.aborted; next = live.get(delivered + 1)) {
      yield* deliver(next);
    }
    for (const [seq, chunk] of live) {
      if (seq > delivered) continue;
      live.delete(seq);
      liveBytes -= chunk.data.byteLength;
    }
  }

  async function* replayStored(execution: ExecutionRecord): AsyncGenerator<OutputEvent> {
    for (;;) {
      const page = await source.chunks(execution, delivered, PAGE);
      for (const chunk of page) {
        if (signal.aborted) return;
        yield* deliver(chunk);
      }
      if (page.length < PAGE) return;
    }
  }

  /** Yields the rest and the end once the execution (or its task) has ended; false while it runs. */
  async function* finishIfEnded(): AsyncGenerator<OutputEvent, boolean> {
    let execution = await source.execution();
    let taskError: WireError | null = null;
    if (!execution.completedAt) {
      const task = await source.task(execution);
      if (!task || !isTaskTerminal(task.status)) return false;
      // The task ended: the execution, recorded before it, is complete, or never will be.
      execution = await source.execution();
      taskError = task.error ?? {
        code: 'ERR_INTERNAL',
        message: `the task ended (${task.status}) without recording the execution`,
        retryable: false,
      };
    }
    const stored = await source.chunks(execution, 0, 1);
    if (stored.length === 0 && execution.completedAt) {
      for (const chunk of legacyChunks(execution)) yield* deliver(chunk);
    } else {
      yield* replayStored(execution);
    }
    if (signal.aborted) return true;
    yield !execution.completedAt && taskError
      ? { type: 'failed', error: taskError }
      : { type: 'end', execution };
    return true;
  }

  try {
    await events.ready?.();
    let readStore = true;
    let lastStoreRead = 0;
    let lastEndCheck = 0;
    // A gap the store does not fill soon (its chunk was never stored) is retried less and less often.
    let gapWaitMs = GAP_RETRY_MS;
    let lastDelivered = delivered;
    while (!signal.aborted) {
      yield* drainLive();
      if (readStore || (live.size > 0 && Date.now() - lastStoreRead >= gapWaitMs)) {
        const before = delivered;
        lastStoreRead = Date.now();
        yield* replayStored(first);
        yield* drainLive();
        if (live.size > 0 && delivered === before) gapWaitMs = Math.min(gapWaitMs * 2, pollIntervalMs);
      }
      if (live.size === 0 || delivered > lastDelivered) gapWaitMs = GAP_RETRY_MS;
      lastDelivered = delivered;
      if (Date.now() - lastEndCheck >= pollIntervalMs) endHinted = true;
      if (endHinted && !signal.aborted) {
        endHinted = false;
        lastEndCheck = Date.now();
        if (yield* finishIfEnded()) return;
      }
      // Whatever arrived while this round awaited is handled now, not after a sleep.
      if (signal.aborted || live.has(delivered + 1) || endHinted) {
        readStore = false;
        continue;
      }
      const waited = await sleepUntil(
        (resolve) => {
          wake = resolve;
        },
        live.size > 0 ? gapWaitMs : pollIntervalMs,
      );
      readStore = waited === 'timeout';
    }
  } finally {
    for (const unsubscribe of subscriptions) unsubscribe();
    signal.removeEventListener('abort', poke);
    wake = null;
  }
}

/** Waits until `arm`'s resolver is called or `ms` pass. */
function sleepUntil(arm: (resolve: () => void) => void, ms: number): Promise<'poked' | 'timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    arm(() => {
      clearTimeout(timer);
      resolve('poked');
    });
  });
}
