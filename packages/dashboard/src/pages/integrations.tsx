import { useEffect } from 'preact/hooks';
import { Page } from '../components/page';
import { Empty, ErrorNotice, Loading } from '../components/states';
import { get } from '../lib/api';
import { useApi } from '../lib/use-api';
import { IntegrationCard } from './integrations/integration-card';
import type { IntegrationList } from './integrations/integration-types';
import type { PageProps } from './page-props';

/** Health checks and inbound webhooks have no stream: read again at this slow pace. */
const REFRESH_MS = 30_000;

function NoneEnabled() {
  return (
    <Empty>
      No integration is enabled. GitHub and Slack turn on when their secrets are set: see{' '}
      <code>docs/integrations.md</code> in the Aetherium sources, and the webhook endpoint in the{' '}
      <a href="/docs#/integrations">API docs</a>.
    </Empty>
  );
}

/** The GitHub and Slack integrations (admins): health, and the webhooks each received lately. */
export function IntegrationsPage(_props: PageProps) {
  const list = useApi((signal) => get<IntegrationList>('/integrations', undefined, signal), []);
  const { reload } = list;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <Page
      title="Integrations"
      actions={
        <button type="button" class="button" onClick={reload}>
          Refresh
        </button>
      }
    >
      <ErrorNotice error={list.error} />
      {list.data ? (
        list.data.integrations.length === 0 ? (
          <NoneEnabled />
        ) : (
          list.data.integrations.map((integration) => (
            <IntegrationCard key={integration.name} integration={integration} />
          ))
        )
      ) : list.loading ? (
        <Loading what="Loading integrations" />
      ) : null}
    </Page>
  );
}
