import { Ago, NoValue } from '../../components/cells';
import { DataTable } from '../../components/data-table';
import { StatusBadge } from '../../components/status';
import type { IntegrationInfo } from './integration-types';

const COLUMNS = ['Event', 'Outcome', 'Status', 'Code', 'When'];

/** One integration: its health as a word and a message, then its recent inbound deliveries. */
export function IntegrationCard({ integration }: { integration: IntegrationInfo }) {
  const headingId = `integration-${integration.name}`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{integration.name}</h2>
      <p>
        <StatusBadge status={integration.ok ? 'healthy' : 'error'} /> {integration.message}
      </p>
      <h3>Recent deliveries</h3>
      <DataTable
        columns={COLUMNS}
        rows={integration.deliveries}
        empty="No webhook received yet."
        row={(delivery) => (
          <tr key={delivery.id}>
            <td>
              <code>{delivery.event}</code>
            </td>
            <td class="wrap">{delivery.outcome}</td>
            <td>
              <StatusBadge status={delivery.status} />
            </td>
            <td class="mono">{delivery.code ?? <NoValue />}</td>
            <td>
              <Ago at={delivery.at} />
            </td>
          </tr>
        )}
      />
    </section>
  );
}
