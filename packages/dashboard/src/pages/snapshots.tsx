import { useState } from 'preact/hooks';
import { Ago, VmLink } from '../components/cells';
import { ConfirmButton } from '../components/confirm-button';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status';
import { del, type Schemas, seg } from '../lib/api';
import { bytes, shortId } from '../lib/format';
import { href } from '../lib/router';
import { useAction } from '../lib/use-action';
import type { PageProps } from './page-props';
import { RecordListPage } from './records/record-list-page';
import { SNAPSHOT_STATUSES } from './records/statuses';
import { useRecordList } from './records/use-record-list';
import './records/records.css';

type Snapshot = Schemas['Snapshot'];

const FILTERS = [
  { name: 'vm', label: 'VM', placeholder: 'id or name' },
  { name: 'status', label: 'Status', options: SNAPSHOT_STATUSES },
] as const;

const COLUMNS = ['Snapshot', 'VM', 'Driver', 'Status', 'Size', 'Created', 'Actions'];

/** The tasks that move a snapshot's status. */
const SNAPSHOT_TASKS = new Set(['vm:snapshot', 'snapshot:delete']);

/** Snapshots on their way out (or gone) can be neither used nor deleted again. */
const isGoing = (snapshot: Snapshot) => snapshot.status === 'deleting' || snapshot.status === 'deleted';

interface RowProps {
  snapshot: Snapshot;
  onDelete: (snapshot: Snapshot) => Promise<void>;
}

function SnapshotRow({ snapshot, onDelete }: RowProps) {
  return (
    <tr>
      <td class="mono" title={snapshot.id}>
        {shortId(snapshot.id)}
      </td>
      <td>
        <VmLink id={snapshot.source_vm_id} />
      </td>
      <td>{snapshot.driver}</td>
      <td class="wrap">
        <StatusBadge status={snapshot.status} />
        {snapshot.status_reason ? <div class="muted">{snapshot.status_reason}</div> : null}
      </td>
      <td>{bytes(snapshot.size_bytes)}</td>
      <td>
        <Ago at={snapshot.created_at} />
      </td>
      <td>
        <div class="row-actions">
          {snapshot.status === 'ready' ? (
            <Link
              class="button"
              href={href('/vms/new', { from_snapshot: snapshot.id })}
              aria-label={`Create VM from snapshot ${shortId(snapshot.id)}`}
            >
              Create VM from snapshot
            </Link>
          ) : null}
          {isGoing(snapshot) ? null : (
            <ConfirmButton
              label="Delete"
              question={`Delete snapshot ${shortId(snapshot.id)}?`}
              detail="Its files are removed from the worker that holds them; VMs can no longer start from it. It cannot be undone."
              danger
              onConfirm={() => onDelete(snapshot)}
            />
          )}
        </div>
      </td>
    </tr>
  );
}

/** Saved VM states: what each came from, whether it is ready, and VMs to start from it. */
export function SnapshotsPage({ query }: PageProps) {
  const list = useRecordList({
    path: '/snapshots',
    filters: FILTERS,
    query,
    rows: (answer: Schemas['SnapshotList']) => answer.snapshots,
    concerns: (event) => event.type === 'task' && SNAPSHOT_TASKS.has(event.task_type),
  });
  const removal = useAction();
  const [deleted, setDeleted] = useState<string | null>(null);
  const remove = async (snapshot: Snapshot) => {
    setDeleted(null);
    await removal.run(async () => {
      await del(`/snapshots/${seg(snapshot.id)}`);
      setDeleted(snapshot.id);
    });
    list.reload();
  };
  return (
    <RecordListPage
      title="Snapshots"
      list={list}
      loading="Loading snapshots"
      actionError={removal.error}
      empty={
        list.filtered
          ? 'No snapshot matches these filters.'
          : 'No snapshot yet: take one from a running VM’s page.'
      }
      caption="Snapshots, newest first"
      columns={COLUMNS}
      row={(snapshot) => <SnapshotRow key={snapshot.id} snapshot={snapshot} onDelete={remove} />}
    >
      {deleted ? (
        <p class="notice notice-ok" role="status">
          Snapshot {shortId(deleted)} is being deleted.
        </p>
      ) : null}
    </RecordListPage>
  );
}
