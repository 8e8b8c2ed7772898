// The workers an admin runs: who is alive, how recently each said so, what it can run, how busy.
import { Empty } from '../../components/states';
import { StatusBadge } from '../../components/status';
import { duration } from '../../lib/format';
import type { WorkerLoad } from './types';

function load(worker: WorkerLoad): string {
  if (worker.capacity <= 0) return `${worker.running} running`;
  return `${worker.running} / ${worker.capacity} (${Math.round((worker.running / worker.capacity) * 100)} %)`;
}

export function WorkersTable({ workers }: { workers: WorkerLoad[] }) {
  return (
    <section aria-labelledby="workers-title">
      <h2 id="workers-title">Workers</h2>
      {workers.length === 0 ? (
        <Empty>No worker has registered.</Empty>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the table scrolls sideways on a phone; focus lets a keyboard scroll it
        <section class="table-wrap" tabIndex={0} aria-label="Table of workers">
          <table>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Status</th>
                <th scope="col">Heartbeat</th>
                <th scope="col">Drivers</th>
                <th scope="col">Load (running / capacity)</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((worker) => (
                <tr key={worker.id}>
                  <td class="mono">{worker.id}</td>
                  <td>
                    <StatusBadge status={worker.status} />
                  </td>
                  <td>{duration(worker.heartbeat_age_ms)} ago</td>
                  <td>{worker.drivers.join(', ') || '—'}</td>
                  <td>{load(worker)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
