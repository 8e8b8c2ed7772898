import { AetherError, toWireError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { ExecutionRecord } from '../core/execution.js';
import type { Logger } from '../core/logger.js';
import { type ExecutionSource, followExecution } from './stream-follow.js';
import { type ErrorMessage, errorMessage, type StreamMessage } from './stream-messages.js';

/** One client connection a stream writes to: a WebSocket or an SSE response. */
export interface StreamSink {
  /** Resolves once the message is handed to the connection; rejects if it is gone. */
  send(message: StreamMessage): Promise<void>;
  /** Closes the connection; `last` is the final message sent (null: the client left first). */
  end(last: Exclude<StreamMessage, { type: 'chunk' }> | null): void;
  /** Aborted when the client goes away. */
  readonly gone: AbortSignal;
}

export interface StreamSessionDeps {
  events: EventBus;
  logger: Logger;
  /** Aborted when the gateway starts closing: streams end with ERR_SHUTTING_DOWN. */
  closing?: AbortSignal | undefined;
  pollIntervalMs?: number;
}

/**
 * Runs one stream to its end on one connection: the execution's output from `afterSeq`, then
 * its exit or error. A failure of the stream itself (store unreachable, gateway closing) is sent
 * as an error of scope `stream`, which a client answers by reconnecting with `after_seq`.
 * Never throws; when it returns, the subscriptions and timers it made are gone.
 */
export async function runStreamSession(
  deps: StreamSessionDeps,
  source: ExecutionSource,
  execution: ExecutionRecord,
  afterSeq: number,
  sink: StreamSink,
): Promise<void> {
  const stop = new AbortController();
  const signal = deps.closing ? AbortSignal.any([sink.gone, deps.closing]) : sink.gone;
  const onStop = () => stop.abort();
  signal.addEventListener('abort', onStop);
  if (signal.aborted) stop.abort();
  let last: Exclude<StreamMessage, { type: 'chunk' }> | null = null;
  const finish = async (message: ErrorMessage) => {
    last = message;
    await sink.send(message).catch(() => {});
  };
  try {
    await followExecution(deps.events, source, execution, {
      afterSeq,
      signal: stop.signal,
      ...(deps.pollIntervalMs ? { pollIntervalMs: deps.pollIntervalMs } : {}),
      send: async (message) => {
        if (message.type !== 'chunk') last = message;
        await sink.send(message);
      },
    });
    if (!last && !sink.gone.aborted && deps.closing?.aborted) {
      const closing = new AetherError(
        'ERR_SHUTTING_DOWN',
        `the gateway is shutting down; the execution goes on: reconnect with after_seq to follow it`,
      );
      await finish(errorMessage(closing.toWire(), 'stream'));
    }
  } catch (error) {
    if (!sink.gone.aborted) {
      deps.logger.warn({ err: error, executionId: execution.id }, 'execution stream failed');
      await finish(errorMessage(toWireError(error), 'stream'));
    }
  } finally {
    signal.removeEventListener('abort', onStop);
    sink.end(sink.gone.aborted ? null : last);
  }
}
