// Knowing when a running command ends, from its output stream (no event on the live stream says
// that a job's step ended: the job's task changes status only when the whole job does).
import { useEffect, useRef } from 'preact/hooks';
import { seg, socketUrl } from '../../lib/api';

/** After a stream that broke rather than ended, wait before asking again (no tight loop). */
const RETRY_AFTER_MS = 5000;

/** Calls `onEnd` once the execution `id` ends (or its stream breaks, after a pause). */
export function useExecutionEnd(id: string | null, onEnd: () => void): void {
  const latest = useRef(onEnd);
  latest.current = onEnd;
  useEffect(() => {
    if (!id) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const socket = new WebSocket(socketUrl(`/executions/${seg(id)}/stream`));
    socket.onclose = (event) => {
      if (event.code === 1000) latest.current();
      else timer = setTimeout(() => latest.current(), RETRY_AFTER_MS);
    };
    return () => {
      clearTimeout(timer);
      socket.onclose = null;
      socket.close(1000);
    };
  }, [id]);
}
