import { ConfirmButton } from '../../components/confirm-button';
import { Empty } from '../../components/states';
import { StatusBadge } from '../../components/status';
import type { Schemas } from '../../lib/api';
import { ago, when } from '../../lib/format';

type ApiKey = Schemas['ApiKey'];

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={when(iso)}>
      {ago(iso)}
    </time>
  );
}

interface Props {
  keys: readonly ApiKey[];
  /** The key of this session: revoking it signs the page out, so it says so. */
  ownKeyId: string | null;
  onRevoke: (key: ApiKey) => Promise<void>;
}

/** The keys as GET /keys lists them (never the secrets), newest first; active ones can be revoked. */
export function KeyTable({ keys, ownKeyId, onRevoke }: Props) {
  if (keys.length === 0) return <Empty>No API keys yet.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">ID</th>
            <th scope="col">Project</th>
            <th scope="col">Admin</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id}>
              <td class="wrap">
                {key.name}
                {key.id === ownKeyId ? <span class="tag">this session</span> : null}
              </td>
              <td class="mono">{key.id}</td>
              <td>{key.project}</td>
              <td>{key.admin ? 'admin' : 'no'}</td>
              <td>
                <Time iso={key.created_at} />
              </td>
              <td>
                <Time iso={key.expires_at} />
              </td>
              <td>
                <StatusBadge status={key.state} />
              </td>
              <td>
                {key.state === 'active' ? (
                  <ConfirmButton
                    label="Revoke"
                    question={`Revoke the key "${key.name}"?`}
                    detail={
                      key.id === ownKeyId
                        ? 'This page is signed in with it: you will be signed out. It cannot be undone.'
                        : 'Anything that uses it is refused from now on. It cannot be undone.'
                    }
                    danger
                    onConfirm={() => onRevoke(key)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
