import { Filters } from '../components/filters';
import { Page } from '../components/page';
import { Empty, ErrorNotice, Loading } from '../components/states';
import { StatusBadge } from '../components/status';
import { get, type Schemas } from '../lib/api';
import { useApi } from '../lib/use-api';
import { useLiveReload } from '../lib/use-live-reload';
import type { PageProps } from './page-props';
import { Ago, IdLink, VmLink } from './records/cells';
import { LIST_LIMIT, ListLimitNote } from './records/list-limit';
import { TASK_STATUSES, TASK_TYPES } from './records/statuses';

type Task = Schemas['Task'];

const FILTERS = [
  { name: 'status', label: 'Status', options: TASK_STATUSES },
  { name: 'type', label: 'Type', options: TASK_TYPES },
  { name: 'vm', label: 'VM', placeholder: 'id or name' },
] as const;

function TaskRow({ task }: { task: Task }) {
  return (
    <tr>
      <td>
        <IdLink base="/tasks" id={task.id} />
      </td>
      <td>{task.type}</td>
      <td>
        <StatusBadge status={task.status} />
      </td>
      <td>
        <VmLink id={task.vm_id} />
      </td>
      <td>{task.fencing_token}</td>
      <td>{task.error ? <code>{task.error.code}</code> : '—'}</td>
      <td>
        <Ago at={task.created_at} />
      </td>
    </tr>
  );
}

/** The queued work of the project (creates, runs, deletes, jobs...), newest first. */
export function TasksPage({ query }: PageProps) {
  const status = query.get('status') ?? '';
  const type = query.get('type') ?? '';
  const vm = query.get('vm') ?? '';
  const list = useApi(
    (signal) =>
      get<Schemas['TaskList']>('/tasks', { status, type, vm, limit: LIST_LIMIT }, signal).then(
        (answer) => answer.tasks,
      ),
    [status, type, vm],
  );
  useLiveReload(list.reload, (event) => event.type === 'task');
  const tasks = list.data;
  return (
    <Page title="Tasks">
      <Filters filters={FILTERS} query={query} />
      <ErrorNotice error={list.error} />
      {!tasks ? (
        list.loading ? (
          <Loading what="Loading tasks" />
        ) : null
      ) : tasks.length === 0 ? (
        <Empty>{status || type || vm ? 'No task matches these filters.' : 'No task yet.'}</Empty>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Tasks, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col">VM</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Error</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {tasks.map((task) => (
                  <TaskRow key={task.id} task={task} />
                ))}
              </tbody>
            </table>
          </div>
          <ListLimitNote shown={tasks.length} />
        </>
      )}
    </Page>
  );
}
