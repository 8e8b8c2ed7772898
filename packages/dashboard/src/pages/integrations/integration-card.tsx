import { Empty } from '../../components/states';
import { StatusBadge } from '../../components/status';
import { ago, when } from '../../lib/format';
import type { IntegrationInfo } from './integration-types';

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
      {integration.deliveries.length === 0 ? (
        <Empty>No webhook received yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Outcome</th>
                <th scope="col">Status</th>
                <th scope="col">Code</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {integration.deliveries.map((delivery) => (
                <tr key={delivery.id}>
                  <td>
                    <code>{delivery.event}</code>
                  </td>
                  <td class="wrap">{delivery.outcome}</td>
                  <td>
                    <StatusBadge status={delivery.status} />
                  </td>
                  <td class="mono">{delivery.code ?? <span class="muted">—</span>}</td>
                  <td>
                    <time dateTime={delivery.at} title={when(delivery.at)}>
                      {ago(delivery.at)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
