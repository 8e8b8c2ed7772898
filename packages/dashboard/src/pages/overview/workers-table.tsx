// The workers an admin runs: who is alive, how recently each said so, what it can run, how busy.
import { DataTable } from '../../components/data-table';
import { StatusBadge } from '../../components/status';
import { duration } from '../../lib/format';
import type { WorkerLoad } from './types';

function load(worker: WorkerLoad): string {
  if (worker.capacity <= 0) return `${worker.running} running`;
  return `${worker.running} / ${worker.capacity} (${Math.round((worker.running / worker.capacity) * 100)} %)`;
}

const COLUMNS = ['Worker', 'Status', 'Heartbeat', 'Drivers', 'Load (running / capacity)'];

export function WorkersTable({ workers }: { workers: WorkerLoad[] }) {
  return (
    <section aria-labelledby="workers-title">
      <h2 id="workers-title">Workers</h2>
      <DataTable
        region="Table of workers"
        columns={COLUMNS}
        rows={workers}
        empty="No worker has registered."
        row={(worker) => (
          <tr key={worker.id}>
            <td class="mono">{worker.id}</td>
            <td>
              <StatusBadge status={worker.status} />
            </td>
            <td>{duration(worker.heartbeat_age_ms)} ago</td>
            <td>{worker.drivers.join(', ') || '—'}</td>
            <td>{load(worker)}</td>
          </tr>
        )}
      />
    </section>
  );
}
