import { toWireError, type WireError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { StreamClose, StreamTransport } from './transport.js';

export interface StreamRunDeps {
  logger: Logger;
  /** Aborted when the gateway starts closing: the stream ends with ERR_SHUTTING_DOWN. */
  closing?: AbortSignal | undefined;
}

/** What one kind of stream (an execution's output, a log tail) says on any wire. */
export interface StreamSpec<M> {
  /** What the log calls it when it fails. */
  name: string;
  /** Logged with a failure. */
  context?: Record<string, unknown>;
  /** Its messages; `signal` aborts when the client leaves or the gateway closes. */
  messages(signal: AbortSignal): AsyncIterable<M>;
  /** True for a message after which the stream is complete (an exit, an error). */
  isFinal(message: M): boolean;
  /** The message a failed stream ends with (the reason, as wire data). */
  failure(error: WireError): M;
  /** Why a closing gateway ends the stream, and what the client should do. */
  shutdown(): WireError;
  /** How the connection closes after its last message (null: the client left). */
  closeAfter(last: M | null): StreamClose;
}

/** Starts a stream on a connection, tracked so that a closing gateway gives it a moment to end. */
export type StreamRunner = <M>(spec: StreamSpec<M>, transport: StreamTransport<M>) => void;

/**
 * Runs one stream to its end on one connection: its messages, then — when they stop short of a
 * final one because the gateway is closing, or fail (store unreachable) — a failure message
 * saying why; then the connection closes. Never throws; when it returns, the subscriptions and
 * timers the stream made are gone.
 */
export async function runStream<M>(
  deps: StreamRunDeps,
  spec: StreamSpec<M>,
  transport: StreamTransport<M>,
): Promise<void> {
  const { gone } = transport;
  const signal = deps.closing ? AbortSignal.any([gone, deps.closing]) : gone;
  let last: M | null = null;
  let failure: WireError | null = null;
  try {
    for await (const message of spec.messages(signal)) {
      last = message;
      await transport.send(message);
    }
    if (!gone.aborted && deps.closing?.aborted && !(last !== null && spec.isFinal(last))) {
      failure = spec.shutdown();
    }
  } catch (error) {
    if (!gone.aborted) {
      deps.logger.warn({ err: error, ...spec.context }, `${spec.name} failed`);
      failure = deps.closing?.aborted ? spec.shutdown() : toWireError(error);
    }
  }
  if (failure) {
    last = spec.failure(failure);
    await transport.send(last).catch(() => {});
  }
  transport.end(spec.closeAfter(gone.aborted ? null : last));
}
