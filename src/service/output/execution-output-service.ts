import type { EventBus } from '../../core/events.js';
import type { ExecutionRecord } from '../../core/execution.js';
import type { OutputEvent } from '../../core/output.js';
import { type Access, canSee } from '../../core/principal.js';
import type { Store } from '../../core/store.js';
import { requireExecution } from '../visibility.js';
import { type ExecutionSource, followExecution } from './follow-execution.js';

export interface ExecutionOutputDeps {
  store: Pick<Store, 'getExecution' | 'getTask' | 'listExecutionOutput'>;
  events: EventBus;
}

export interface ExecutionOutputSettings {
  /** How often a reader looks at the store when no event comes (lost events). Default 2 000 ms. */
  pollIntervalMs?: number;
}

export interface FollowOutputOptions {
  /** Only chunks with a higher seq (resume); default 0, from the start. */
  afterSeq?: number;
  /** Aborted when the reader leaves or its process closes: the iteration ends, with no end event. */
  signal?: AbortSignal;
}

/**
 * An execution's output, one path for every reader: the stream routes (WebSocket, SSE, NDJSON)
 * and the integrations. Each reader gets the stored chunks, then the live ones from the event
 * bus (subscribed for that execution only), with no gap and no duplicate, then the end.
 */
export class ExecutionOutputService {
  constructor(
    private readonly deps: ExecutionOutputDeps,
    private readonly settings: ExecutionOutputSettings = {},
  ) {}

  /** The execution, if `access` may see it; otherwise ERR_EXECUTION_NOT_FOUND. */
  get(access: Access, id: string): Promise<ExecutionRecord> {
    return requireExecution(this.deps.store, access, id);
  }

  /**
   * The output of `execution` (a record read with `get`, or an id) as `access` sees it: chunks in
   * seq order (bytes as the command wrote them), then `end` or `failed`. Every read is made
   * with `access`, so a stream never outlives the caller's right to see the execution.
   */
  async *follow(
    access: Access,
    execution: ExecutionRecord | string,
    options: FollowOutputOptions = {},
  ): AsyncGenerator<OutputEvent, void, undefined> {
    const first = typeof execution === 'string' ? await this.get(access, execution) : execution;
    yield* followExecution(this.deps.events, this.sourceOf(access, first.id), first, {
      afterSeq: options.afterSeq ?? 0,
      signal: options.signal ?? new AbortController().signal,
      ...(this.settings.pollIntervalMs ? { pollIntervalMs: this.settings.pollIntervalMs } : {}),
    });
  }

  private sourceOf(access: Access, id: string): ExecutionSource {
    const { store } = this.deps;
    return {
      execution: () => this.get(access, id),
      chunks: (execution, afterSeq, limit) => store.listExecutionOutput(execution.id, { afterSeq, limit }),
      async task(execution) {
        const task = execution.taskId ? await store.getTask(execution.taskId) : null;
        return task && canSee(access, task.project) ? { status: task.status, error: task.error } : null;
      },
    };
  }
}
