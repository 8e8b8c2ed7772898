import { ConfirmButton } from '../../components/confirm-button';
import { Link } from '../../components/link';
import { Empty } from '../../components/states';
import { StatusBadge } from '../../components/status';
import { type Schemas, seg } from '../../lib/api';
import { ago, when } from '../../lib/format';

type Webhook = Schemas['Webhook'];

interface Props {
  webhooks: readonly Webhook[];
  /** Admins see every project's subscriptions: then the project is a column. */
  showProject: boolean;
  onDelete: (webhook: Webhook) => Promise<void>;
}

/** The subscriptions as GET /webhooks lists them (never their secrets); each links to its deliveries. */
export function WebhookTable({ webhooks, showProject, onDelete }: Props) {
  if (webhooks.length === 0) return <Empty>No webhook subscriptions yet.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Events</th>
            <th scope="col">Active</th>
            {showProject ? <th scope="col">Project</th> : null}
            <th scope="col">Created</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {webhooks.map((webhook) => (
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
                <time dateTime={webhook.created_at} title={when(webhook.created_at)}>
                  {ago(webhook.created_at)}
                </time>
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
          ))}
        </tbody>
      </table>
    </div>
  );
}
