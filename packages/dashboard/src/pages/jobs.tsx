import { Ago, VmLink } from '../components/cells';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status';
import type { Schemas } from '../lib/api';
import type { PageProps } from './page-props';
import { RecordListPage } from './records/record-list-page';
import { JOB_STATUSES } from './records/statuses';
import { useRecordList } from './records/use-record-list';

type Job = Schemas['Job'];

const FILTERS = [
  { name: 'vm', label: 'VM', placeholder: 'id or name' },
  { name: 'status', label: 'Status', options: JOB_STATUSES },
] as const;

const COLUMNS = ['Job', 'Status', 'VM', 'Steps run', 'Created', 'Updated'];

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
  const list = useRecordList({
    path: '/jobs',
    filters: FILTERS,
    query,
    rows: (answer: Schemas['JobList']) => answer.jobs,
    concerns: (event) => event.type === 'task' && event.task_type === 'job:run',
  });
  return (
    <RecordListPage
      title="Jobs"
      list={list}
      loading="Loading jobs"
      empty={list.filtered ? 'No job matches these filters.' : 'No job has run yet.'}
      caption="Jobs, newest first"
      columns={COLUMNS}
      row={(job) => <JobRow key={job.id} job={job} />}
    />
  );
}
