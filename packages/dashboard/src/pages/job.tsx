import { Ago, IdLink, VmLink } from '../components/cells';
import { Page } from '../components/page';
import { ErrorNotice, Loading } from '../components/states';
import { StatusBadge } from '../components/status';
import { shortId } from '../lib/format';
import { useApi } from '../lib/use-api';
import { useLiveReload } from '../lib/use-live-reload';
import type { PageProps } from './page-props';
import { JobStepCard } from './records/job-step-card';
import { type JobView, loadJobView } from './records/job-steps';
import { useExecutionEnd } from './records/use-execution-end';

function JobFacts({ view }: { view: JobView }) {
  const { job } = view;
  return (
    <dl class="facts card">
      <dt>Status</dt>
      <dd>
        <StatusBadge status={job.status} />
      </dd>
      <dt>Steps run</dt>
      <dd>
        {job.results.length} of {job.steps.length}
      </dd>
      <dt>VM</dt>
      <dd>
        <VmLink id={job.vm_id} full />
      </dd>
      <dt>Task</dt>
      <dd>{job.task_id ? <IdLink base="/tasks" id={job.task_id} full /> : '—'}</dd>
      <dt>Created</dt>
      <dd>
        <Ago at={job.created_at} />
      </dd>
      <dt>Updated</dt>
      <dd>
        <Ago at={job.updated_at} />
      </dd>
    </dl>
  );
}

/** One job: its steps in order, and for each the result, exit code, duration and output's end. */
export function JobPage({ params }: PageProps) {
  const id = params.id ?? '';
  const view = useApi((signal) => loadJobView(id, signal), [id]);
  const data = view.data;
  // The job's task starts and ends with the job; a step's end shows on its execution's stream.
  useLiveReload(view.reload, (event) => event.type === 'task' && event.task_id === data?.job.task_id);
  useExecutionEnd(data?.running?.id ?? null, view.reload);
  return (
    <Page title={`Job ${data?.job.name || shortId(id)}`}>
      <ErrorNotice error={view.error} />
      {!data ? (
        view.loading ? (
          <Loading what="Loading the job" />
        ) : null
      ) : (
        <>
          <JobFacts view={data} />
          <section aria-labelledby="job-steps">
            <h2 id="job-steps">Steps</h2>
            {data.steps.map((step) => (
              <JobStepCard key={step.index} step={step} />
            ))}
          </section>
        </>
      )}
    </Page>
  );
}
