import { Fragment } from 'preact';
import { DataTable } from '../components/data-table';
import { Link } from '../components/link';
import { Page } from '../components/page';
import { ErrorNotice, Loading } from '../components/states';
import { get } from '../lib/api';
import { useApi } from '../lib/use-api';
import { useLiveReload } from '../lib/use-live-reload';
import { priorityNames } from './overview/priorities';
import type { PriorityDepth, QueueView } from './overview/types';
import type { PageProps } from './page-props';

const COUNTS = ['waiting', 'active', 'delayed', 'failed'] as const;

const sum = (values: Record<string, number>) => Object.values(values).reduce((total, n) => total + n, 0);

function DepthTable({ depth }: { depth: QueueView['depth'] }) {
  const priorities = priorityNames(...Object.values(depth));
  return (
    <DataTable
      region="Table of waiting tasks"
      columns={['Queue', ...priorities, 'Total']}
      rows={Object.keys(depth).sort()}
      empty="No queue has been used yet."
      row={(name) => {
        const counts: PriorityDepth = depth[name] ?? {};
        return (
          <tr key={name}>
            <th scope="row" class="mono">
              {name}
            </th>
            {priorities.map((priority) => (
              <td key={priority}>{counts[priority] ?? 0}</td>
            ))}
            <td>{sum(counts)}</td>
          </tr>
        );
      }}
    />
  );
}

/** The task queue as it sees itself (admins): its backend, its counts, and what waits where. */
export function QueuePage(_props: PageProps) {
  const queue = useApi((signal) => get<QueueView>('/queue', undefined, signal), []);
  // Every task event is a task entering, leaving or moving through the queue.
  useLiveReload(queue.reload, (event) => event.type === 'task' || event.type === 'worker');
  const data = queue.data;
  return (
    <Page title="Queue">
      <ErrorNotice error={queue.error} />
      {!data ? (
        queue.loading ? (
          <Loading what="Loading the queue" />
        ) : null
      ) : (
        <>
          <section aria-labelledby="queue-counts" class="card">
            <h2 id="queue-counts">Tasks in the queue</h2>
            <dl class="facts">
              <dt>Backend</dt>
              <dd class="mono">{data.kind}</dd>
              {COUNTS.map((name) => (
                <Fragment key={name}>
                  <dt>{name}</dt>
                  <dd>{data.counts[name]}</dd>
                </Fragment>
              ))}
            </dl>
            <p>
              The tasks themselves: <Link href="/tasks?status=pending">waiting to start</Link>,{' '}
              <Link href="/tasks?status=processing">running</Link>,{' '}
              <Link href="/tasks?status=failed">failed</Link>.
            </p>
          </section>
          <section aria-labelledby="queue-depth">
            <h2 id="queue-depth">Waiting, by queue and priority</h2>
            <p class="muted">
              The shared queue takes work any worker may do; each worker's own queue holds work on the VMs it
              runs.
            </p>
            <DepthTable depth={data.depth} />
          </section>
        </>
      )}
    </Page>
  );
}
