// The one module that touches uPlot. It is only ever loaded by a dynamic import (time-chart.tsx),
// so uPlot and its stylesheet come in their own chunk, on the pages that draw a chart.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartSpec } from './chart-spec';

export interface ChartHandle {
  update(spec: ChartSpec): void;
  destroy(): void;
}

const HEIGHT_PX = 200;

/** Steps between the marks of an axis of counts: never a fraction of an execution. */
const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];

/** A colour of the page's scheme; canvas drawing cannot read CSS variables by itself. */
function cssColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function dataOf(spec: ChartSpec): uPlot.AlignedData {
  return [spec.x, ...spec.series.map((series) => series.values)];
}

function optionsOf(spec: ChartSpec, width: number): uPlot.Options {
  const text = cssColor('--text', '#1b1f24');
  const grid = cssColor('--border', '#d0d7de');
  const axis: uPlot.Axis = {
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  };
  return {
    width,
    height: HEIGHT_PX,
    cursor: { drag: { x: false, y: false } },
    legend: {
      // The legend's marker repeats each line's dash pattern, so series differ by more than colour.
      markers: { dash: (plot, index) => (plot.series[index]?.dash?.length ? 'dashed' : 'solid'), width: 2 },
    },
    scales: { y: { range: (_plot, min, max) => [Math.min(0, min), Math.max(1, max)] } },
    axes: [
      axis,
      {
        ...axis,
        size: 70,
        incrs: spec.whole ? WHOLE_STEPS : undefined,
        values: (_plot, ticks) => ticks.map((tick) => spec.formatValue(tick)),
      },
    ],
    series: [
      { label: 'Minute' },
      ...spec.series.map(
        (series): uPlot.Series => ({
          label: series.label,
          stroke: cssColor(series.colorVar, text),
          width: 2,
          dash: series.dash,
          spanGaps: false,
          // A series with gaps (latency: no execution, no figure) may hold a minute between empty
          // ones, with no neighbour to draw a line to: its points show it.
          points: {
            show: series.values.some((value) => value === null),
            size: 5,
            fill: cssColor(series.colorVar, text),
          },
          value: (_plot, value) => (value === null || value === undefined ? '—' : spec.formatValue(value)),
        }),
      ),
    ],
  };
}

/** Draws `spec` into `host`, following the host's width. */
export function drawChart(host: HTMLElement, spec: ChartSpec): ChartHandle {
  const plot = new uPlot(optionsOf(spec, host.clientWidth || 600), dataOf(spec), host);
  const resize = new ResizeObserver(() => {
    if (host.clientWidth > 0) plot.setSize({ width: host.clientWidth, height: HEIGHT_PX });
  });
  resize.observe(host);
  return {
    update: (next) => plot.setData(dataOf(next)),
    destroy: () => {
      resize.disconnect();
      plot.destroy();
    },
  };
}
