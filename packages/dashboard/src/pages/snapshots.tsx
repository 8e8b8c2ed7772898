import { useState } from 'preact/hooks';
import { ConfirmButton } from '../components/confirm-button';
import { Filters } from '../components/filters';
import { Link } from '../components/link';
import { Page } from '../components/page';
import { Empty, ErrorNotice, Loading } from '../components/states';
import { StatusBadge } from '../components/status';
import { del, get, type Schemas, seg } from '../lib/api';
import { bytes, shortId } from '../lib/format';
import { href } from '../lib/router';
import { useApi } from '../lib/use-api';
import { useLiveReload } from '../lib/use-live-reload';
import type { PageProps } from './page-props';
import { Ago, VmLink } from './records/cells';
import { LIST_LIMIT, ListLimitNote } from './records/list-limit';
import { SNAPSHOT_STATUSES } from './records/statuses';
import './records/records.css';

type Snapshot = Schemas['Snapshot'];

const FILTERS = [
  { name: 'vm', label: 'VM', placeholder: 'id or name' },
  { name: 'status', label: 'Status', options: SNAPSHOT_STATUSES },
] as const;

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
  const vm = query.get('vm') ?? '';
  const status = query.get('status') ?? '';
  const list = useApi(
    (signal) =>
      get<Schemas['SnapshotList']>('/snapshots', { vm, status, limit: LIST_LIMIT }, signal).then(
        (answer) => answer.snapshots,
      ),
    [vm, status],
  );
  useLiveReload(list.reload, (event) => event.type === 'task' && SNAPSHOT_TASKS.has(event.task_type));
  const [deleteError, setDeleteError] = useState<Error | undefined>();
  const [deleted, setDeleted] = useState<string | null>(null);
  const remove = async (snapshot: Snapshot) => {
    setDeleteError(undefined);
    setDeleted(null);
    try {
      await del(`/snapshots/${seg(snapshot.id)}`);
      setDeleted(snapshot.id);
    } catch (error) {
      setDeleteError(error as Error);
    }
    list.reload();
  };
  const snapshots = list.data;
  return (
    <Page title="Snapshots">
      <Filters filters={FILTERS} query={query} />
      <ErrorNotice error={list.error ?? deleteError} />
      {deleted ? (
        <p class="notice notice-ok" role="status">
          Snapshot {shortId(deleted)} is being deleted.
        </p>
      ) : null}
      {!snapshots ? (
        list.loading ? (
          <Loading what="Loading snapshots" />
        ) : null
      ) : snapshots.length === 0 ? (
        <Empty>
          {vm || status
            ? 'No snapshot matches these filters.'
            : 'No snapshot yet: take one from a running VM’s page.'}
        </Empty>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Snapshots, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Snapshot</th>
                  <th scope="col">VM</th>
                  <th scope="col">Driver</th>
                  <th scope="col">Status</th>
                  <th scope="col">Size</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {snapshots.map((snapshot) => (
                  <SnapshotRow key={snapshot.id} snapshot={snapshot} onDelete={remove} />
                ))}
              </tbody>
            </table>
          </div>
          <ListLimitNote shown={snapshots.length} />
        </>
      )}
    </Page>
  );
}
