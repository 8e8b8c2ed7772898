// Live changes of the caller's VMs, tasks and (for admins) workers, from GET /api/v1/events
// over one WebSocket shared by every component of the page. Lists load once, then refresh when
// an event says their data moved: no polling.
import { useEffect, useRef } from 'preact/hooks';
import { socketUrl } from './api';

export type LiveEvent =
  | { type: 'ready' }
  | { type: 'vm'; vm_id: string; status: string; reason: string; at: string }
  | {
      type: 'task';
      task_id: string;
      task_type: string;
      status: string;
      vm_id: string | null;
      error_code: string | null;
      at: string;
    }
  | {
      type: 'worker';
      worker_id: string;
      event: 'joined' | 'left';
      status?: string;
      reason?: string;
      at: string;
    };

type Handler = (event: LiveEvent) => void;

const handlers = new Set<Handler>();
let socket: WebSocket | null = null;
let retryMs = 500;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

function open(): void {
  if (socket || handlers.size === 0) return;
  const ws = new WebSocket(socketUrl('/events'));
  socket = ws;
  ws.onmessage = (message) => {
    let event: LiveEvent;
    try {
      event = JSON.parse(String(message.data)) as LiveEvent;
    } catch {
      return;
    }
    if (event.type === 'ready') retryMs = 500;
    for (const handler of handlers) handler(event);
  };
  ws.onclose = () => {
    // A socket replaced meanwhile (the page was left and another subscribed) closes late: only
    // the current one may clear the slot and reconnect, or two sockets would deliver twice.
    if (socket !== ws) return;
    socket = null;
    if (handlers.size === 0) return;
    // Back off on repeated failures (a restarting gateway); after reconnecting, `ready` makes
    // every subscriber read its data again, so nothing missed in between stays missed.
    retryTimer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, 15_000);
  };
}

function close(): void {
  clearTimeout(retryTimer);
  const ws = socket;
  socket = null;
  ws?.close(1000);
}

/** Calls `handler` for every live event while the component is mounted. */
export function useLiveEvents(handler: Handler): void {
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    const forward: Handler = (event) => current.current(event);
    handlers.add(forward);
    open();
    return () => {
      handlers.delete(forward);
      if (handlers.size === 0) close();
    };
  }, []);
}

/** Stops the shared stream (sign-out). */
export function stopLiveEvents(): void {
  handlers.clear();
  close();
}
