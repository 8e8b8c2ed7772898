import { Ago, NoValue } from '../../components/cells';
import { ConfirmButton } from '../../components/confirm-button';
import { DataTable } from '../../components/data-table';
import { StatusBadge } from '../../components/status';
import type { Schemas } from '../../lib/api';

type ApiKey = Schemas['ApiKey'];

const COLUMNS = ['Name', 'ID', 'Project', 'Admin', 'Created', 'Expires', 'State', 'Actions'];

interface Props {
  keys: readonly ApiKey[];
  /** The key of this session: revoking it signs the page out, so it says so. */
  ownKeyId: string | null;
  onRevoke: (key: ApiKey) => Promise<void>;
}

/** The keys as GET /keys lists them (never the secrets), newest first; active ones can be revoked. */
export function KeyTable({ keys, ownKeyId, onRevoke }: Props) {
  return (
    <DataTable
      columns={COLUMNS}
      rows={keys}
      empty="No API keys yet."
      row={(key) => (
        <tr key={key.id}>
          <td class="wrap">
            {key.name}
            {key.id === ownKeyId ? <span class="tag">this session</span> : null}
          </td>
          <td class="mono">{key.id}</td>
          <td>{key.project}</td>
          <td>{key.admin ? 'admin' : 'no'}</td>
          <td>
            <Ago at={key.created_at} />
          </td>
          <td>
            <Ago at={key.expires_at} empty={<NoValue />} />
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
      )}
    />
  );
}
