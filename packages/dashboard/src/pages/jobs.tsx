import { Filters } from '../components/filters';
import { Link } from '../components/link';
import { Page } from '../components/page';
import { Empty, ErrorNotice, Loading } from '../components/states';
import { StatusBadge } from '../components/status';
import { get, type Schemas } from '../lib/api';
import { useApi } from '../lib/use-api';
import { useLiveReload } from '../lib/use-live-reload';
import type { PageProps } from './page-props';
import { Ago, VmLink } from './records/cells';
import { LIST_LIMIT, ListLimitNote } from './records/list-limit';
import { JOB_STATUSES } from './records/statuses';

type Job = Schemas['Job'];

const FILTERS = [
  { name: 'vm', label: 'VM', placeholder: 'id or name' },
  { name: 'status', label: 'Status', options: JOB_STATUSES },
] as const;

function JobRow({ job }: { job: Job }) {
  return (
    <tr>
      <td>
        <Link href={`/jobs/${encodeURIComponent(job.id)}`} title={job.id}>
          {job.name || job.id}
        </Link>
      </td>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td>
        <VmLink id={job.vm_id} />
      </td>
      <td>
        {job.results.length} of {job.steps.length}
      </td>
      <td>
        <Ago at={job.created_at} />
      </td>
      <td>
        <Ago at={job.updated_at} />
      </td>
    </tr>
  );
}

/** Jobs (named steps run in order in one VM), newest first. */
export function JobsPage({ query }: PageProps) {
  const vm = query.get('vm') ?? '';
  const status = query.get('status') ?? '';
  const list = useApi(
    (signal) =>
      get<Schemas['JobList']>('/jobs', { vm, status, limit: LIST_LIMIT }, signal).then(
        (answer) => answer.jobs,
      ),
    [vm, status],
  );
  useLiveReload(list.reload, (event) => event.type === 'task' && event.task_type === 'job:run');
  const jobs = list.data;
  return (
    <Page title="Jobs">
      <Filters filters={FILTERS} query={query} />
      <ErrorNotice error={list.error} />
      {!jobs ? (
        list.loading ? (
          <Loading what="Loading jobs" />
        ) : null
      ) : jobs.length === 0 ? (
        <Empty>{vm || status ? 'No job matches these filters.' : 'No job has run yet.'}</Empty>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Jobs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Status</th>
                  <th scope="col">VM</th>
                  <th scope="col">Steps run</th>
                  <th scope="col">Created</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((job) => (
                  <JobRow key={job.id} job={job} />
                ))}
              </tbody>
            </table>
          </div>
          <ListLimitNote shown={jobs.length} />
        </>
      )}
    </Page>
  );
}
