import { Ago } from '../../components/cells';
import { ConfirmButton } from '../../components/confirm-button';
import { DataTable } from '../../components/data-table';
import { Link } from '../../components/link';
import { StatusBadge } from '../../components/status';
import { type Schemas, seg } from '../../lib/api';

type Webhook = Schemas['Webhook'];

interface Props {
  webhooks: readonly Webhook[];
  /** Admins see every project's subscriptions: then the project is a column. */
  showProject: boolean;
  onDelete: (webhook: Webhook) => Promise<void>;
}

/** The subscriptions as GET /webhooks lists them (never their secrets); each links to its deliveries. */
export function WebhookTable({ webhooks, showProject, onDelete }: Props) {
  return (
    <DataTable
      columns={['URL', 'Events', 'Active', showProject && 'Project', 'Created', 'Actions']}
      rows={webhooks}
      empty="No webhook subscriptions yet."
      row={(webhook) => (
        <tr key={webhook.id}>
          <td class="wrap">
            <Link href={`/webhooks/${seg(webhook.id)}`}>{webhook.url}</Link>
          </td>
          <td class="wrap mono">{webhook.events.join(', ')}</td>
          <td>
            <StatusBadge status={webhook.active ? 'active' : 'inactive'} />
          </td>
          {showProject ? <td>{webhook.project}</td> : null}
          <td>
            <Ago at={webhook.created_at} />
          </td>
          <td>
            <ConfirmButton
              label="Delete"
              question={`Delete the subscription to ${webhook.url}?`}
              detail="No more events are sent to it, and its delivery log is deleted with it."
              danger
              onConfirm={() => onDelete(webhook)}
            />
          </td>
        </tr>
      )}
    />
  );
}
