import { Ago, NoValue } from '../../components/cells';
import { DataTable } from '../../components/data-table';
import { StatusBadge } from '../../components/status';
import type { Schemas } from '../../lib/api';
import { shortId } from '../../lib/format';
import { useAction } from '../../lib/use-action';

type Delivery = Schemas['WebhookDelivery'];

const COLUMNS = [
  'Event',
  'Status',
  'Attempts',
  'Response',
  'Error',
  'Created',
  'Last attempt',
  'Next attempt',
  'Actions',
];

/** Busy while its delivery is queued again; the page shows what came of it. */
function RedeliverButton({ onRedeliver }: { onRedeliver: () => Promise<void> }) {
  const sending = useAction();
  return (
    <button type="button" class="button" disabled={sending.busy} onClick={() => sending.run(onRedeliver)}>
      {sending.busy ? 'Sending…' : 'Redeliver'}
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
  return (
    <DataTable
      columns={COLUMNS}
      rows={deliveries}
      empty={empty}
      row={(delivery) => (
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
          <td>{delivery.last_status_code ?? <NoValue />}</td>
          <td class="wrap">{delivery.last_error ?? <NoValue />}</td>
          <td>
            <Ago at={delivery.created_at} />
          </td>
          <td>
            <Ago at={delivery.last_attempt_at} empty={<NoValue />} />
          </td>
          <td>
            <Ago at={delivery.next_attempt_at} empty={<NoValue />} />
          </td>
          <td>
            <RedeliverButton onRedeliver={() => onRedeliver(delivery)} />
          </td>
        </tr>
      )}
    />
  );
}
