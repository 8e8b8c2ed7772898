// A line chart over time. The drawing library loads on first use (a dynamic import), so the
// first page of the dashboard does not carry it. The canvas says nothing to a screen reader:
// it is hidden from assistive technology, and `children` (a sentence with the numbers, a table)
// is the chart's text alternative, shown to everyone.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChartSpec } from './chart-spec';
import type { ChartHandle } from './uplot-chart';
import './charts.css';

interface Props {
  /** The chart's heading id, so the figure is named by it. */
  labelledBy: string;
  spec: ChartSpec;
  children: ComponentChildren;
}

export function TimeChart({ labelledBy, spec, children }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<ChartHandle | null>(null);
  const latest = useRef(spec);
  latest.current = spec;
  const [unavailable, setUnavailable] = useState(false);

  useEffect(() => {
    let gone = false;
    import('./uplot-chart')
      .then(({ drawChart }) => {
        if (gone || !host.current) return;
        chart.current = drawChart(host.current, latest.current);
      })
      // The numbers are still on the page below; only the picture is missing.
      .catch(() => setUnavailable(true));
    return () => {
      gone = true;
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.update(spec);
  }, [spec]);

  return (
    <figure class="time-chart" aria-labelledby={labelledBy}>
      <div ref={host} class="chart" aria-hidden="true" />
      {unavailable ? <p class="muted">The chart could not be drawn; its numbers follow.</p> : null}
      {children}
    </figure>
  );
}
