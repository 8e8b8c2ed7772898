// Reads a view again when the live stream says its data moved, at most once per `minGapMs`: a
// burst of events (a job's many tasks, a fleet starting) becomes one read now and one at the
// end of the burst, never one read per event.
import { useEffect, useRef } from 'preact/hooks';
import { type LiveEvent, useLiveEvents } from './live-events';

/**
 * Calls `reload` on `ready` (the stream (re)connected, so anything may have been missed) and on
 * every event `concerns` accepts, throttled: the first one at once, later ones folded into a
 * single trailing call `minGapMs` after the previous read.
 */
export function useLiveReload(
  reload: () => void,
  concerns: (event: Exclude<LiveEvent, { type: 'ready' }>) => boolean,
  minGapMs = 2000,
): void {
  const lastRead = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(reload);
  latest.current = reload;

  useEffect(
    () => () => {
      clearTimeout(pending.current);
      pending.current = undefined;
    },
    [],
  );

  useLiveEvents((event) => {
    if (event.type !== 'ready' && !concerns(event)) return;
    if (pending.current !== undefined) return;
    const read = () => {
      pending.current = undefined;
      lastRead.current = Date.now();
      latest.current();
    };
    const wait = lastRead.current + minGapMs - Date.now();
    if (wait <= 0) read();
    else pending.current = setTimeout(read, wait);
  });
}
