// An execution's output over GET /executions/{id}/stream (WebSocket): the stored chunks are
// replayed, then live ones follow until one `exit` or `error`. A dropped stream is resumed with
// `after_seq`, so no chunk is lost or shown twice.
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Schemas, seg, socketUrl } from '../../lib/api';
import { appendOutput, base64Bytes, emptyOutput, type OutputModel, type OutputStream } from './output-lines';

type Message = Schemas['ExecutionStreamMessage'];
export type StreamEnd = Schemas['ExecutionStreamExit'] | Schemas['ExecutionStreamError'];
export type StreamPhase = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'failed';

/** What the command wrote as the execution record keeps it, for a stream that replays nothing. */
export interface StoredOutput {
  stdout: string;
  stderr: string;
}

export interface ExecutionStream {
  output: OutputModel;
  end: StreamEnd | null;
  phase: StreamPhase;
  failure: string | null;
  /** Opens the stream again after it failed. */
  retry: () => void;
}

/** Tries to open a stream that never opened before giving up (an unknown id, a refused session). */
const OPEN_ATTEMPTS = 4;
const MAX_BACKOFF_MS = 10_000;

export function useExecutionStream(
  executionId: string,
  options: { stored?: StoredOutput; onEnd?: (end: StreamEnd) => void } = {},
): ExecutionStream {
  const output = useRef<OutputModel>(emptyOutput());
  const [, setDrawn] = useState(0);
  const [end, setEnd] = useState<StreamEnd | null>(null);
  const [phase, setPhase] = useState<StreamPhase>('connecting');
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    output.current = emptyOutput();
    const decoders: Record<OutputStream, TextDecoder> = {
      stdout: new TextDecoder(),
      stderr: new TextDecoder(),
    };
    let lastSeq = 0;
    let failedOpens = 0;
    let backoffMs = 500;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let frame = 0;
    let finished = false;
    /** Why the stream (not the command) failed, as its last `error` of scope `stream` said. */
    let streamError: string | null = null;
    // Many chunks a frame are drawn once.
    const draw = () => {
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        setDrawn((n) => n + 1);
      });
    };
    const finish = (message: StreamEnd) => {
      finished = true;
      // Bytes held back as the start of a character that never completed.
      appendOutput(output.current, 'stdout', decoders.stdout.decode());
      appendOutput(output.current, 'stderr', decoders.stderr.decode());
      const stored = message.type === 'exit' ? message.execution : latest.current.stored;
      if (!output.current.any && stored) {
        appendOutput(output.current, 'stdout', stored.stdout);
        appendOutput(output.current, 'stderr', stored.stderr);
      }
      draw();
      setEnd(message);
      setPhase('ended');
      latest.current.onEnd?.(message);
    };
    const fail = (why: string) => {
      finished = true;
      setFailure(why);
      setPhase('failed');
    };
    const onMessage = (message: Message) => {
      if (message.type === 'chunk') {
        if (message.seq <= lastSeq) return;
        lastSeq = message.seq;
        appendOutput(
          output.current,
          message.stream,
          decoders[message.stream].decode(base64Bytes(message.data), { stream: true }),
        );
        draw();
      } else if (message.type === 'exit' || message.scope === 'execution') {
        finish(message);
      } else {
        streamError = `${message.code}: ${message.message}`;
      }
    };

    const open = () => {
      let opened = false;
      streamError = null;
      const ws = new WebSocket(
        socketUrl(`/executions/${seg(executionId)}/stream`, { after_seq: lastSeq || undefined }),
      );
      socket = ws;
      ws.onopen = () => {
        opened = true;
        failedOpens = 0;
        backoffMs = 500;
        setPhase('live');
      };
      ws.onmessage = (event) => {
        let message: Message;
        try {
          message = JSON.parse(String(event.data)) as Message;
        } catch {
          return; // not a message of this stream; the next ones still count
        }
        onMessage(message);
      };
      ws.onclose = (event) => {
        socket = null;
        if (finished) return;
        // 4000 + an HTTP status: the stream itself failed; only 4503 says that trying again helps.
        if (event.code >= 4000 && event.code !== 4503) {
          fail(streamError ?? `the output stream closed (${event.code} ${event.reason})`);
          return;
        }
        if (!opened && ++failedOpens >= OPEN_ATTEMPTS) {
          fail(streamError ?? 'the output stream could not be opened');
          return;
        }
        setPhase('reconnecting');
        timer = setTimeout(open, backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      };
    };

    setEnd(null);
    setFailure(null);
    setPhase('connecting');
    open();
    return () => {
      finished = true;
      clearTimeout(timer);
      cancelAnimationFrame(frame);
      socket?.close(1000);
    };
  }, [executionId, attempt]);

  return { output: output.current, end, phase, failure, retry: () => setAttempt((n) => n + 1) };
}
