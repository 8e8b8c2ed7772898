import { useEffect, useState } from 'preact/hooks';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import { FileBreadcrumbs } from '../../components/vm/file-breadcrumbs';
import { apiPath, joinPath, normalizeDir } from '../../components/vm/file-paths';
import { FileTable } from '../../components/vm/file-table';
import { GoToPathForm } from '../../components/vm/go-to-path-form';
import { NewFolderForm } from '../../components/vm/new-folder-form';
import { UploadForm } from '../../components/vm/upload-form';
import { del, get, type Schemas, seg } from '../../lib/api';
import { bytes } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { useApi } from '../../lib/use-api';
import type { VmTabProps } from './tab-view';

/** The VM's files, one directory at a time (`?path=`): browse, upload, download, make, remove. */
export function FilesTab({ vm, query, session }: VmTabProps) {
  const dir = normalizeDir(query.get('path') ?? '');
  const [done, setDone] = useState<string | null>(null);
  const listing = useApi(
    (signal) => get<Schemas['FsListing']>(`/vms/${seg(vm.id)}/files/list`, { path: apiPath(dir) }, signal),
    [vm.id, dir],
  );
  const removal = useAction();
  const forgetRemoval = removal.reset;
  // What was done here says nothing about the next directory.
  useEffect(() => {
    setDone(null);
    forgetRemoval();
  }, [dir, forgetRemoval]);
  const remove = async (entry: Schemas['FsEntry']) => {
    await removal.run(async () => {
      const recursive = entry.type === 'directory' ? true : undefined;
      await del(`/vms/${seg(vm.id)}/files`, { path: joinPath(dir, entry.name), recursive });
      setDone(`Removed ${entry.name}.`);
    });
    listing.reload();
  };

  return (
    <section>
      <h2 id="files-heading">Files</h2>
      {vm.status !== 'running' ? (
        <p class="notice">The VM is {vm.status}; its files can be reached while it runs.</p>
      ) : null}
      <FileBreadcrumbs vmId={vm.id} dir={dir} />
      <div class="toolbar">
        <GoToPathForm vmId={vm.id} dir={dir} />
        <UploadForm
          vmId={vm.id}
          dir={dir}
          csrfToken={session.csrf_token}
          onUploaded={(result) => {
            setDone(`Uploaded ${result.path} (${bytes(result.bytes)}).`);
            listing.reload();
          }}
        />
        <NewFolderForm
          vmId={vm.id}
          dir={dir}
          onCreated={() => {
            setDone('Folder created.');
            listing.reload();
          }}
        />
      </div>
      {done ? (
        <p class="notice notice-ok" role="status">
          {done}
        </p>
      ) : null}
      <ErrorNotice error={removal.error ?? listing.error} />
      {!listing.data ? (
        listing.error ? null : (
          <Loading what="Listing the directory" />
        )
      ) : listing.data.entries.length === 0 ? (
        <Empty>This directory is empty.</Empty>
      ) : (
        <>
          <FileTable vmId={vm.id} dir={dir} entries={listing.data.entries} onRemove={remove} />
          {listing.data.truncated ? <p class="muted">Only the first 10 000 entries are listed.</p> : null}
        </>
      )}
    </section>
  );
}
