import { Page } from '../components/page';
import { ErrorNotice, Loading } from '../components/states';
import { get } from '../lib/api';
import { useApi } from '../lib/use-api';
import { useLiveReload } from '../lib/use-live-reload';
import { ActivityCharts } from './overview/activity-charts';
import { FailuresTable } from './overview/failures-table';
import { FleetCards } from './overview/fleet-cards';
import type { Overview } from './overview/types';
import { useClockReload } from './overview/use-clock-reload';
import { WorkersTable } from './overview/workers-table';
import './overview/overview.css';
import type { PageProps } from './page-props';

/**
 * Heartbeat ages and the hour's moving window have no event of their own; 30 s keeps both
 * honest at one small read per half minute (the numbers are per minute anyway).
 */
const CLOCK_RELOAD_MS = 30_000;

/** The fleet at a glance: VMs, queue, workers (admins), the last hour's executions, failures. */
export function OverviewPage({ session }: PageProps) {
  const overview = useApi((signal) => get<Overview>('/overview', undefined, signal), []);
  // Every VM, task and worker event moves some figure of the overview.
  useLiveReload(overview.reload, () => true);
  useClockReload(overview.reload, CLOCK_RELOAD_MS);
  const data = overview.data;
  return (
    <Page title="Overview">
      <ErrorNotice error={overview.error} />
      {!data ? (
        overview.loading ? (
          <Loading what="Loading the overview" />
        ) : null
      ) : (
        <div class="overview">
          <FleetCards overview={data} />
          {session.admin && data.workers ? <WorkersTable workers={data.workers} /> : null}
          <ActivityCharts executions={data.executions} />
          <FailuresTable failures={data.failures} />
        </div>
      )}
    </Page>
  );
}
