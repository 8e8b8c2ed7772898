// Executions over the last hour: how many per minute and how long they took, as two charts,
// each with a sentence carrying its numbers, and the minutes themselves in a table.
import { useMemo } from 'preact/hooks';
import type { ChartSpec } from '../../components/charts/chart-spec';
import { TimeChart } from '../../components/charts/time-chart';
import { DataTable } from '../../components/data-table';
import { duration } from '../../lib/format';
import { type Minute, minuteLabel, minutesOf } from './minutes';
import type { Overview } from './types';

type Executions = Overview['executions'];

const count = (value: number) => String(Math.round(value));
const ms = (value: number) => duration(value);

function countSentence(executions: Executions, minutes: Minute[]): string {
  const span = `the last ${executions.window_minutes} minutes`;
  if (executions.count === 0) return `No execution ended in ${span}.`;
  const busiest = minutes.reduce((best, minute) => (minute.count > best.count ? minute : best));
  return (
    `In ${span}, ${executions.count} executions ended and ${executions.failed} of them failed; ` +
    `the busiest minute was ${minuteLabel(busiest.at)} with ${busiest.count}.`
  );
}

function latencySentence(executions: Executions): string {
  if (executions.p50_ms === null || executions.p99_ms === null)
    return `No execution ended in the last ${executions.window_minutes} minutes, so there is no latency to show.`;
  return (
    `Over the last ${executions.window_minutes} minutes, half the executions took ${ms(executions.p50_ms)} ` +
    `or less (p50) and 99 in 100 took ${ms(executions.p99_ms)} or less (p99).`
  );
}

function MinutesTable({ minutes }: { minutes: Minute[] }) {
  const busy = minutes.filter((minute) => minute.count > 0);
  if (busy.length === 0) return null;
  return (
    <details class="chart-numbers">
      <summary>
        Numbers per minute ({busy.length} {busy.length === 1 ? 'minute' : 'minutes'} with executions)
      </summary>
      <DataTable
        region="Executions per minute, as numbers"
        columns={['Minute', 'Executions', 'Failed', 'p50', 'p99']}
        rows={busy}
        row={(minute) => (
          <tr key={minute.at}>
            <td>{minuteLabel(minute.at)}</td>
            <td>{minute.count}</td>
            <td>{minute.failed}</td>
            <td>{duration(minute.p50Ms)}</td>
            <td>{duration(minute.p99Ms)}</td>
          </tr>
        )}
      />
    </details>
  );
}

export function ActivityCharts({ executions }: { executions: Executions }) {
  const minutes = useMemo(
    () => minutesOf(executions.buckets, executions.window_minutes),
    [executions.buckets, executions.window_minutes],
  );
  const x = useMemo(() => minutes.map((minute) => minute.at), [minutes]);
  const counts = useMemo<ChartSpec>(
    () => ({
      x,
      formatValue: count,
      whole: true,
      series: [
        { label: 'Executions', values: minutes.map((minute) => minute.count), colorVar: '--accent' },
        { label: 'Failed', values: minutes.map((minute) => minute.failed), colorVar: '--bad', dash: [6, 4] },
      ],
    }),
    [x, minutes],
  );
  const latency = useMemo<ChartSpec>(
    () => ({
      x,
      formatValue: ms,
      series: [
        { label: 'p50', values: minutes.map((minute) => minute.p50Ms), colorVar: '--accent' },
        { label: 'p99', values: minutes.map((minute) => minute.p99Ms), colorVar: '--busy', dash: [6, 4] },
      ],
    }),
    [x, minutes],
  );
  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Executions in the last hour</h2>
      <div class="chart-grid">
        <div class="card">
          <h3 id="chart-executions">Executions per minute</h3>
          <TimeChart labelledBy="chart-executions" spec={counts}>
            <figcaption>{countSentence(executions, minutes)}</figcaption>
          </TimeChart>
        </div>
        <div class="card">
          <h3 id="chart-latency">Latency p50 and p99</h3>
          <TimeChart labelledBy="chart-latency" spec={latency}>
            <figcaption>{latencySentence(executions)}</figcaption>
          </TimeChart>
        </div>
      </div>
      <MinutesTable minutes={minutes} />
    </section>
  );
}
