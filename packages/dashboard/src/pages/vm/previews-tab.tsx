import { useState } from 'preact/hooks';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import { CreatedPreviewNotice } from '../../components/vm/created-preview';
import { PreviewForm } from '../../components/vm/preview-form';
import { PreviewTable } from '../../components/vm/preview-table';
import { del, get, type Schemas, seg } from '../../lib/api';
import { useAction } from '../../lib/use-action';
import { useApi } from '../../lib/use-api';
import type { VmTabProps } from './tab-view';

export function PreviewsTab({ vm }: VmTabProps) {
  const [created, setCreated] = useState<Schemas['CreatedPreview'] | null>(null);
  const list = useApi(
    (signal) => get<Schemas['PreviewList']>(`/vms/${seg(vm.id)}/previews`, undefined, signal),
    [vm.id],
  );
  const revoking = useAction();
  const revoke = async (preview: Schemas['Preview']) => {
    await revoking.run(async () => {
      await del(`/vms/${seg(vm.id)}/previews/${seg(preview.id)}`);
      if (created?.id === preview.id) setCreated(null);
    });
    list.reload();
  };

  return (
    <>
      <section class="card">
        <h2 id="preview-new">Create a preview URL</h2>
        <PreviewForm
          vmId={vm.id}
          onCreated={(preview) => {
            setCreated(preview);
            list.reload();
          }}
        />
        {created ? <CreatedPreviewNotice preview={created} /> : null}
      </section>
      <section>
        <h2 id="preview-list">Preview URLs</h2>
        <ErrorNotice error={revoking.error ?? list.error} />
        {!list.data ? (
          list.error ? null : (
            <Loading what="Loading previews" />
          )
        ) : list.data.previews.length === 0 ? (
          <Empty>This VM has no preview URL.</Empty>
        ) : (
          <PreviewTable previews={list.data.previews} onRevoke={revoke} />
        )}
      </section>
    </>
  );
}
