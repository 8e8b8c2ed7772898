import { Ago, IdLink, VmLink } from '../components/cells';
import { StatusBadge } from '../components/status';
import type { Schemas } from '../lib/api';
import { duration } from '../lib/format';
import type { PageProps } from './page-props';
import { RecordListPage } from './records/record-list-page';
import { EXECUTION_OUTCOMES } from './records/statuses';
import { useRecordList } from './records/use-record-list';

type Execution = Schemas['Execution'];

const FILTERS = [
  { name: 'vm', label: 'VM', placeholder: 'id or name' },
  { name: 'status', label: 'Status', options: EXECUTION_OUTCOMES },
] as const;

const COLUMNS = ['Execution', 'Command', 'VM', 'Outcome', 'Exit', 'Duration', 'Created'];

/** Tasks whose progress changes an execution row. */
const RUNS_COMMANDS = new Set(['vm:execute', 'job:run']);

function commandLine(execution: Execution): string {
  return [execution.command, ...execution.args].join(' ');
}

function ExecutionRow({ execution }: { execution: Execution }) {
  return (
    <tr>
      <td>
        <IdLink base="/executions" id={execution.id} />
      </td>
      <td class="wrap">
        <code>{commandLine(execution)}</code>
      </td>
      <td>
        <VmLink id={execution.vm_id} />
      </td>
      <td>
        <StatusBadge status={execution.outcome} />
      </td>
      <td>{execution.exit_code ?? (execution.signal || '—')}</td>
      <td>{duration(execution.duration_ms)}</td>
      <td>
        <Ago at={execution.created_at} />
      </td>
    </tr>
  );
}

/** Commands run in every VM of the project, newest first, filtered by VM and outcome. */
export function ExecutionsPage({ query }: PageProps) {
  const list = useRecordList({
    path: '/executions',
    filters: FILTERS,
    query,
    rows: (answer: Schemas['ExecutionList']) => answer.executions,
    concerns: (event) => event.type === 'task' && RUNS_COMMANDS.has(event.task_type),
  });
  return (
    <RecordListPage
      title="Executions"
      list={list}
      loading="Loading executions"
      empty={list.filtered ? 'No execution matches these filters.' : 'No command has run yet.'}
      caption="Executions, newest first"
      columns={COLUMNS}
      row={(execution) => <ExecutionRow key={execution.id} execution={execution} />}
    />
  );
}
