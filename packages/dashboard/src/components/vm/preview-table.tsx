import type { Schemas } from '../../lib/api';
import { Ago, NoValue } from '../cells';
import { ConfirmButton } from '../confirm-button';
import { DataTable } from '../data-table';
import { StatusBadge } from '../status';

type Preview = Schemas['Preview'];

const COLUMNS = ['Port', 'State', 'Created', 'Expires', 'Created by', 'Actions'];

interface Props {
  previews: readonly Preview[];
  onRevoke: (preview: Preview) => Promise<void>;
}

/** A VM's previews, newest first, without their tokens; active ones can be revoked. */
export function PreviewTable({ previews, onRevoke }: Props) {
  return (
    <DataTable
      caption="Preview URLs"
      columns={COLUMNS}
      rows={previews}
      row={(preview) => (
        <tr key={preview.id}>
          <td>{preview.port}</td>
          <td>
            <StatusBadge status={preview.state} />
          </td>
          <td>
            <Ago at={preview.created_at} />
          </td>
          <td>
            <Ago at={preview.expires_at} />
          </td>
          <td>{preview.created_by ?? <NoValue />}</td>
          <td>
            {preview.state === 'active' ? (
              <ConfirmButton
                label="Revoke"
                name={`Revoke the preview of port ${preview.port}`}
                class="button small"
                question={`Revoke the preview of port ${preview.port}?`}
                detail="Its URL stops working at once, for everyone who has it."
                danger
                onConfirm={() => onRevoke(preview)}
              />
            ) : (
              <NoValue />
            )}
          </td>
        </tr>
      )}
    />
  );
}
