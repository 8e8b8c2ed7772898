import type { Schemas } from '../../lib/api';
import { ago, when } from '../../lib/format';
import { StatusBadge } from '../status';
import { ConfirmRowAction } from './confirm-row-action';

type Preview = Schemas['Preview'];

interface Props {
  previews: readonly Preview[];
  onRevoke: (preview: Preview) => Promise<void>;
}

/** A VM's previews, newest first, without their tokens; active ones can be revoked. */
export function PreviewTable({ previews, onRevoke }: Props) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">Preview URLs</caption>
        <thead>
          <tr>
            <th scope="col">Port</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Created by</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {previews.map((preview) => (
            <tr key={preview.id}>
              <td>{preview.port}</td>
              <td>
                <StatusBadge status={preview.state} />
              </td>
              <td>
                <time dateTime={preview.created_at} title={when(preview.created_at)}>
                  {ago(preview.created_at)}
                </time>
              </td>
              <td>
                <time dateTime={preview.expires_at} title={when(preview.expires_at)}>
                  {ago(preview.expires_at)}
                </time>
              </td>
              <td>{preview.created_by ?? <span class="muted">—</span>}</td>
              <td>
                {preview.state === 'active' ? (
                  <ConfirmRowAction
                    label="Revoke"
                    name={`Revoke the preview of port ${preview.port}`}
                    question={`Revoke the preview of port ${preview.port}?`}
                    detail="Its URL stops working at once, for everyone who has it."
                    onConfirm={() => onRevoke(preview)}
                  />
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
