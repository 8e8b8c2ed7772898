import { Ago, IdLink, VmLink } from '../components/cells';
import { Page } from '../components/page';
import { ErrorNotice, Loading } from '../components/states';
import { StatusBadge } from '../components/status';
import { get, type Schemas, seg } from '../lib/api';
import { duration, shortId } from '../lib/format';
import { useApi } from '../lib/use-api';
import { useLiveReload } from '../lib/use-live-reload';
import type { PageProps } from './page-props';
import { JsonBlock } from './records/json-block';
import { executionOf, jobOf } from './records/related';

type Task = Schemas['Task'];

function Progress({ progress }: { progress: Task['progress'] }) {
  if (!progress) return <>—</>;
  return (
    <>
      {progress.phase} {progress.current} of {progress.total}
      {progress.item ? ` (${progress.item})` : ''}: {progress.message}
    </>
  );
}

function TaskFacts({ task }: { task: Task }) {
  const execution = executionOf(task);
  const job = jobOf(task);
  return (
    <dl class="facts card">
      <dt>Type</dt>
      <dd>{task.type}</dd>
      <dt>Status</dt>
      <dd>
        <StatusBadge status={task.status} />
        {task.status_reason ? <span class="muted"> {task.status_reason}</span> : null}
      </dd>
      <dt>Attempts</dt>
      <dd>
        {task.fencing_token} (retries {task.retry_count} of {task.max_retries})
      </dd>
      <dt>Progress</dt>
      <dd>
        <Progress progress={task.progress} />
      </dd>
      <dt>Priority</dt>
      <dd>{task.priority}</dd>
      <dt>VM</dt>
      <dd>
        <VmLink id={task.vm_id} full />
      </dd>
      {execution ? (
        <>
          <dt>Execution</dt>
          <dd>
            <IdLink base="/executions" id={execution} full />
          </dd>
        </>
      ) : null}
      {job ? (
        <>
          <dt>Job</dt>
          <dd>
            <IdLink base="/jobs" id={job} full />
          </dd>
        </>
      ) : null}
      <dt>Worker</dt>
      <dd class="mono">{task.worker_id ?? '—'}</dd>
      <dt>Time limit</dt>
      <dd>{duration(task.timeout_ms)}</dd>
      <dt>Created</dt>
      <dd>
        <Ago at={task.created_at} />
      </dd>
      <dt>Started</dt>
      <dd>
        <Ago at={task.started_at} />
      </dd>
      <dt>Completed</dt>
      <dd>
        <Ago at={task.completed_at} />
      </dd>
    </dl>
  );
}

function TaskError({ error }: { error: Task['error'] }) {
  if (!error) return null;
  return (
    <section aria-labelledby="task-error">
      <h2 id="task-error">Error</h2>
      <div class="notice notice-error">
        <code>{error.code}</code>: {error.message}
      </div>
    </section>
  );
}

/** One task: what it was asked to do, how far it came, what it produced or why it failed. */
export function TaskPage({ params }: PageProps) {
  const id = params.id ?? '';
  const task = useApi((signal) => get<Task>(`/tasks/${seg(id)}`, undefined, signal), [id]);
  useLiveReload(task.reload, (event) => event.type === 'task' && event.task_id === id);
  const data = task.data;
  return (
    <Page title={`Task ${shortId(id)}`}>
      <ErrorNotice error={task.error} />
      {!data ? (
        task.loading ? (
          <Loading what="Loading the task" />
        ) : null
      ) : (
        <>
          <TaskFacts task={data} />
          <TaskError error={data.error} />
          <section aria-labelledby="task-payload">
            <h2 id="task-payload">Payload</h2>
            <JsonBlock value={data.payload} label="Payload, as JSON" />
          </section>
          <section aria-labelledby="task-result">
            <h2 id="task-result">Result</h2>
            <JsonBlock value={data.result} label="Result, as JSON" />
          </section>
        </>
      )}
    </Page>
  );
}
