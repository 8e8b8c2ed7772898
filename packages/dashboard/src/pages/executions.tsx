import { Filters } from '../components/filters';
import { Page } from '../components/page';
import { Empty, ErrorNotice, Loading } from '../components/states';
import { StatusBadge } from '../components/status';
import { get, type Schemas } from '../lib/api';
import { duration } from '../lib/format';
import { useApi } from '../lib/use-api';
import { useLiveReload } from '../lib/use-live-reload';
import type { PageProps } from './page-props';
import { Ago, IdLink, VmLink } from './records/cells';
import { LIST_LIMIT, ListLimitNote } from './records/list-limit';
import { EXECUTION_OUTCOMES } from './records/statuses';

type Execution = Schemas['Execution'];

const FILTERS = [
  { name: 'vm', label: 'VM', placeholder: 'id or name' },
  { name: 'status', label: 'Status', options: EXECUTION_OUTCOMES },
] as const;

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
  const vm = query.get('vm') ?? '';
  const status = query.get('status') ?? '';
  const list = useApi(
    (signal) =>
      get<Schemas['ExecutionList']>('/executions', { vm, status, limit: LIST_LIMIT }, signal).then(
        (answer) => answer.executions,
      ),
    [vm, status],
  );
  useLiveReload(list.reload, (event) => event.type === 'task' && RUNS_COMMANDS.has(event.task_type));
  const executions = list.data;
  return (
    <Page title="Executions">
      <Filters filters={FILTERS} query={query} />
      <ErrorNotice error={list.error} />
      {!executions ? (
        list.loading ? (
          <Loading what="Loading executions" />
        ) : null
      ) : executions.length === 0 ? (
        <Empty>{vm || status ? 'No execution matches these filters.' : 'No command has run yet.'}</Empty>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Executions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Execution</th>
                  <th scope="col">Command</th>
                  <th scope="col">VM</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Exit</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {executions.map((execution) => (
                  <ExecutionRow key={execution.id} execution={execution} />
                ))}
              </tbody>
            </table>
          </div>
          <ListLimitNote shown={executions.length} />
        </>
      )}
    </Page>
  );
}
