import { useEffect, useRef } from 'preact/hooks';

/**
 * Calls `reload` every `everyMs` while the tab is visible. For what no event reports: worker
 * heartbeats (the stream tells joins and departures, not each beat) and the passing of time
 * itself (the last hour's window moves on even when nothing happens).
 */
export function useClockReload(reload: () => void, everyMs: number): void {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') latest.current();
    }, everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
}
