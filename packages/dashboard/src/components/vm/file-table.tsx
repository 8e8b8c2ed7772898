import { API, queryString, type Schemas, seg } from '../../lib/api';
import { bytes, when } from '../../lib/format';
import { href } from '../../lib/router';
import { NoValue } from '../cells';
import { ConfirmButton } from '../confirm-button';
import { DataTable } from '../data-table';
import { Link } from '../link';
import { joinPath } from './file-paths';

type Entry = Schemas['FsEntry'];

const COLUMNS = ['Name', 'Size', 'Modified', 'Mode', 'Actions'];

interface Props {
  vmId: string;
  dir: string;
  entries: readonly Entry[];
  onRemove: (entry: Entry) => Promise<void>;
}

/** A GET with the session cookie: the browser saves what the API sends (a file, or a directory as tar). */
export function downloadHref(vmId: string, path: string): string {
  return `${API}/vms/${seg(vmId)}/files${queryString({ path })}`;
}

const byKindThenName = (a: Entry, b: Entry) =>
  Number(b.type === 'directory') - Number(a.type === 'directory') || a.name.localeCompare(b.name);

function EntryName({ vmId, dir, entry }: { vmId: string; dir: string; entry: Entry }) {
  if (entry.type === 'directory') {
    return (
      <Link href={href(`/vms/${encodeURIComponent(vmId)}/files`, { path: joinPath(dir, entry.name) })}>
        {entry.name}/<span class="sr-only"> (folder)</span>
      </Link>
    );
  }
  return (
    <>
      {entry.name}
      {entry.type === 'symlink' ? <span class="muted"> → {entry.target ?? '?'}</span> : null}
      {entry.type === 'other' ? <span class="muted"> (special file)</span> : null}
    </>
  );
}

function EntryRow({ vmId, dir, entry, onRemove }: Omit<Props, 'entries'> & { entry: Entry }) {
  const path = joinPath(dir, entry.name);
  const isDirectory = entry.type === 'directory';
  return (
    <tr>
      <td class="wrap">
        <EntryName vmId={vmId} dir={dir} entry={entry} />
      </td>
      <td>{isDirectory ? <NoValue /> : bytes(entry.size)}</td>
      <td>{when(entry.mtime)}</td>
      <td>
        <code>{(entry.mode & 0o7777).toString(8).padStart(4, '0')}</code>
      </td>
      <td class="row-actions">
        {entry.type === 'file' || isDirectory ? (
          <a
            class="button small"
            href={downloadHref(vmId, path)}
            download={isDirectory ? `${entry.name}.tar` : entry.name}
            aria-label={`Download ${entry.name}${isDirectory ? ' as a tar archive' : ''}`}
          >
            Download
          </a>
        ) : null}
        <ConfirmButton
          label="Remove"
          name={`Remove ${entry.name}`}
          class="button small"
          question={`Remove ${entry.name}?`}
          detail={
            isDirectory ? 'The folder and everything in it are removed for good.' : 'It is removed for good.'
          }
          danger
          onConfirm={() => onRemove(entry)}
        />
      </td>
    </tr>
  );
}

/** A directory's entries: folders open, files download, either can be removed (after asking). */
export function FileTable({ vmId, dir, entries, onRemove }: Props) {
  return (
    <DataTable
      caption={`Entries of ${dir || 'the home directory'}`}
      columns={COLUMNS}
      rows={[...entries].sort(byKindThenName)}
      row={(entry) => <EntryRow key={entry.name} vmId={vmId} dir={dir} entry={entry} onRemove={onRemove} />}
    />
  );
}
