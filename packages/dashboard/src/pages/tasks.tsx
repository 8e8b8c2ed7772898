import { Ago, IdLink, VmLink } from '../components/cells';
import { StatusBadge } from '../components/status';
import type { Schemas } from '../lib/api';
import type { PageProps } from './page-props';
import { RecordListPage } from './records/record-list-page';
import { TASK_STATUSES, TASK_TYPES } from './records/statuses';
import { useRecordList } from './records/use-record-list';

type Task = Schemas['Task'];

const FILTERS = [
  { name: 'status', label: 'Status', options: TASK_STATUSES },
  { name: 'type', label: 'Type', options: TASK_TYPES },
  { name: 'vm', label: 'VM', placeholder: 'id or name' },
] as const;

const COLUMNS = ['Task', 'Type', 'Status', 'VM', 'Attempts', 'Error', 'Created'];

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
  const list = useRecordList({
    path: '/tasks',
    filters: FILTERS,
    query,
    rows: (answer: Schemas['TaskList']) => answer.tasks,
    concerns: (event) => event.type === 'task',
  });
  return (
    <RecordListPage
      title="Tasks"
      list={list}
      loading="Loading tasks"
      empty={list.filtered ? 'No task matches these filters.' : 'No task yet.'}
      caption="Tasks, newest first"
      columns={COLUMNS}
      row={(task) => <TaskRow key={task.id} task={task} />}
    />
  );
}
