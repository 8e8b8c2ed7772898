// What went wrong lately, with the stable reason code to search for and a link to the record.
import { Ago, IdLink, VmLink } from '../../components/cells';
import { DataTable } from '../../components/data-table';
import type { RecentFailure } from './types';

const COLUMNS = ['Type', 'Record', 'VM', 'Reason', 'Message', 'When'];

export function FailuresTable({ failures }: { failures: RecentFailure[] }) {
  return (
    <section aria-labelledby="failures-title">
      <h2 id="failures-title">Recent failures</h2>
      <DataTable
        columns={COLUMNS}
        rows={failures}
        empty="Nothing failed lately."
        row={(failure) => (
          <tr key={`${failure.kind}:${failure.id}`}>
            <td>{failure.type}</td>
            <td>
              <IdLink base={failure.kind === 'task' ? '/tasks' : '/executions'} id={failure.id} />
            </td>
            <td>
              <VmLink id={failure.vm_id} />
            </td>
            <td>
              <code>{failure.code ?? '—'}</code>
            </td>
            <td class="wrap">{failure.message ?? '—'}</td>
            <td>
              <Ago at={failure.at} />
            </td>
          </tr>
        )}
      />
    </section>
  );
}
