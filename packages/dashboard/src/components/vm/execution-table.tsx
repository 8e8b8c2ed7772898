import type { Schemas } from '../../lib/api';
import { ago, duration, when } from '../../lib/format';
import { NoValue } from '../cells';
import { DataTable } from '../data-table';
import { Link } from '../link';
import { StatusBadge } from '../status';
import { commandLine } from './command-line';

type Execution = Schemas['Execution'];

const COLUMNS = ['Command', 'Outcome', 'Exit code', 'Duration', 'Started'];

function ExecutionRow({ execution }: { execution: Execution }) {
  return (
    <tr>
      <td class="wrap">
        <Link href={`/executions/${encodeURIComponent(execution.id)}`} class="mono">
          {commandLine(execution)}
        </Link>
      </td>
      <td>
        <StatusBadge status={execution.outcome} />
      </td>
      <td>{execution.exit_code ?? <NoValue />}</td>
      <td>{duration(execution.duration_ms)}</td>
      <td>
        <time dateTime={execution.created_at} title={when(execution.created_at)}>
          {ago(execution.started_at ?? execution.created_at)}
        </time>
      </td>
    </tr>
  );
}

/** Executions, newest first; each command links to the execution's page. */
export function ExecutionTable({ executions }: { executions: readonly Execution[] }) {
  return (
    <DataTable
      caption="Past executions"
      columns={COLUMNS}
      rows={executions}
      row={(execution) => <ExecutionRow key={execution.id} execution={execution} />}
    />
  );
}
