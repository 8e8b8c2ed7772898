// A log view that stays current: the matching history first (POST /logs/query), then a live tail
// over the WebSocket of GET /logs/stream with the same filters, reconnecting when it drops.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Schemas, socketUrl } from '../../lib/api';
import type { LogView } from './log-filter';
import type { LogQueryRequest, LogStreamQuery } from './log-requests';
import { addLines, emptyLogWindow, type LogLine, type LogWindow } from './log-window';

/** Lines the page keeps at most; older ones are dropped so a flood cannot fill the browser's memory. */
export const MAX_LINES = 2000;
/** The newest lines the history shows before the tail starts. */
export const HISTORY_LINES = 500;
/**
 * The tail's first lines overlap the end of the history (ids remove the repeats), so a line
 * written between the history's answer and the tail's start is not lost. A reconnect asks for
 * more, to fill the gap of the outage.
 */
const FIRST_BACKLOG = 100;
const RECONNECT_BACKLOG = 500;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;

export type TailState = 'loading' | 'live' | 'reconnecting' | 'stopped';

export interface LogTail {
  /** The lines on screen: frozen while paused. */
  shown: LogWindow;
  /** Lines that came while paused, not yet on screen. */
  held: number;
  state: TailState;
  error: Error | undefined;
  following: boolean;
  setFollowing: (follow: boolean) => void;
}

type StreamMessage = Schemas['LogStreamMessage'];

const total = (window: LogWindow) => window.lines.length + window.dropped;

function parseMessage(data: unknown): StreamMessage | undefined {
  try {
    const message = JSON.parse(String(data)) as StreamMessage;
    return message.type === 'line' || message.type === 'error' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** Follows the logs `view` asks for; `view` undefined (filters not valid) follows nothing. */
export function useLogTail(view: LogView | undefined): LogTail {
  const [shown, setShown] = useState<LogWindow>(emptyLogWindow);
  const [held, setHeld] = useState(0);
  const [state, setState] = useState<TailState>('loading');
  const [error, setError] = useState<Error | undefined>();
  const [following, setFollowingState] = useState(true);
  const received = useRef<LogWindow>(emptyLogWindow);
  const followingRef = useRef(true);

  const setFollowing = useCallback((follow: boolean) => {
    followingRef.current = follow;
    setFollowingState(follow);
    if (follow) {
      setShown(received.current);
      setHeld(0);
    }
  }, []);

  const viewKey = view ? JSON.stringify(view) : '';
  // Keyed by the view's value: the page makes a new view object at every render.
  useEffect(() => {
    received.current = emptyLogWindow;
    followingRef.current = true;
    setFollowingState(true);
    setShown(emptyLogWindow);
    setHeld(0);
    setError(undefined);
    if (!view) {
      setState('stopped');
      return;
    }
    setState('loading');
    const { filter, sinceMs } = view;
    const since = sinceMs === undefined ? undefined : new Date(Date.now() - sinceMs).toISOString();
    const stop = new AbortController();
    let socket: WebSocket | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let retryMs = FIRST_RETRY_MS;
    let pending: LogLine[] = [];
    let frame: number | undefined;

    // Lines are shown once per frame, not once per message: a burst is one render.
    const flush = () => {
      frame = undefined;
      const before = total(received.current);
      received.current = addLines(received.current, pending, MAX_LINES);
      pending = [];
      if (followingRef.current) setShown(received.current);
      else setHeld((count) => count + total(received.current) - before);
    };
    const take = (line: LogLine) => {
      // A backlog may reach further back than `since` asked the history for.
      if (since && line.time < since) return;
      pending.push(line);
      // A hidden tab gets no frames: keep only what could be shown anyway.
      if (pending.length > 2 * MAX_LINES) pending = pending.slice(-MAX_LINES);
      frame ??= requestAnimationFrame(flush);
    };

    // A socket that closed before opening tells nothing; the same filters as a search say why
    // (the session ended, a VM was deleted) or that the gateway is only briefly away.
    const whyRefused = async (): Promise<ApiError | undefined> => {
      try {
        await call('POST', '/logs/query', { body: { ...filter, limit: 1 }, signal: stop.signal });
        return undefined;
      } catch (cause) {
        return cause instanceof ApiError && cause.status < 500 ? cause : undefined;
      }
    };

    const connect = (backlog: number) => {
      const query: LogStreamQuery = { ...filter, backlog };
      const ws = new WebSocket(socketUrl('/logs/stream', { ...query }));
      socket = ws;
      let opened = false;
      let ended: Schemas['LogStreamError'] | undefined;
      ws.onopen = () => {
        opened = true;
        retryMs = FIRST_RETRY_MS;
        setState('live');
        setError(undefined);
      };
      ws.onmessage = (event) => {
        const message = parseMessage(event.data);
        if (message?.type === 'line') take(message.line);
        else if (message?.type === 'error') ended = message;
      };
      ws.onclose = async () => {
        if (stop.signal.aborted) return;
        if (ended) setError(new ApiError(0, ended.code, ended.message));
        const refused = ended && !ended.retryable ? undefined : opened ? undefined : await whyRefused();
        if (stop.signal.aborted) return;
        if ((ended && !ended.retryable) || refused) {
          if (refused) setError(refused);
          setState('stopped');
          return;
        }
        setState('reconnecting');
        retryTimer = setTimeout(() => connect(RECONNECT_BACKLOG), retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      };
    };

    const body: LogQueryRequest = {
      ...filter,
      ...(since ? { start: since } : {}),
      limit: HISTORY_LINES,
      order: 'desc',
    };
    call<Schemas['LogList']>('POST', '/logs/query', { body, signal: stop.signal })
      .then(({ lines }) => {
        if (stop.signal.aborted) return;
        // Asked newest first (the last lines), shown oldest first, as a tail reads.
        received.current = addLines(emptyLogWindow, lines.slice().reverse(), MAX_LINES);
        setShown(received.current);
        connect(FIRST_BACKLOG);
      })
      .catch((cause: unknown) => {
        if (stop.signal.aborted) return;
        setError(cause instanceof Error ? cause : new Error(String(cause)));
        setState('stopped');
      });

    return () => {
      stop.abort();
      clearTimeout(retryTimer);
      if (frame !== undefined) cancelAnimationFrame(frame);
      socket?.close(1000);
    };
  }, [viewKey]);

  return { shown, held, state, error, following, setFollowing };
}
