import { useState } from 'preact/hooks';
import { Empty } from '../../components/states';
import { StatusBadge } from '../../components/status';
import type { Schemas } from '../../lib/api';
import { ago, shortId, when } from '../../lib/format';

type Delivery = Schemas['WebhookDelivery'];

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={when(iso)}>
      {ago(iso)}
    </time>
  );
}

function RedeliverButton({ onRedeliver }: { onRedeliver: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const click = async () => {
    setBusy(true);
    try {
      await onRedeliver();
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" class="button" disabled={busy} onClick={click}>
      {busy ? 'Sending…' : 'Redeliver'}
    </button>
  );
}

interface Props {
  deliveries: readonly Delivery[];
  /** What an empty list means (none yet, or none that match a filter). */
  empty: string;
  onRedeliver: (delivery: Delivery) => Promise<void>;
}

/** A subscription's deliveries, newest first, each with what the receiver last answered. */
export function DeliveryTable({ deliveries, empty, onRedeliver }: Props) {
  if (deliveries.length === 0) return <Empty>{empty}</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Response</th>
            <th scope="col">Error</th>
            <th scope="col">Created</th>
            <th scope="col">Last attempt</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id}>
              <td>
                <code>{delivery.event}</code>
                {delivery.redelivery_of ? (
                  <span class="tag" title={`A redelivery of ${delivery.redelivery_of}`}>
                    again of {shortId(delivery.redelivery_of)}
                  </span>
                ) : null}
              </td>
              <td>
                <StatusBadge status={delivery.status} />
              </td>
              <td>{delivery.attempts}</td>
              <td>{delivery.last_status_code ?? <span class="muted">—</span>}</td>
              <td class="wrap">{delivery.last_error ?? <span class="muted">—</span>}</td>
              <td>
                <Time iso={delivery.created_at} />
              </td>
              <td>
                <Time iso={delivery.last_attempt_at} />
              </td>
              <td>
                <Time iso={delivery.next_attempt_at} />
              </td>
              <td>
                <RedeliverButton onRedeliver={() => onRedeliver(delivery)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
