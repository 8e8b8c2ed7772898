import { useState } from 'preact/hooks';
import { Link } from '../components/link';
import { Page } from '../components/page';
import { ErrorNotice, Loading } from '../components/states';
import { StatusBadge } from '../components/status';
import { useLiveVm } from '../components/vm/use-live-vm';
import { VmActions } from '../components/vm/vm-actions';
import { isVmTab, VmTabs } from '../components/vm/vm-tabs';
import type { Schemas } from '../lib/api';
import { navigate } from '../lib/router';
import type { PageProps } from './page-props';
import { VmTabView } from './vm/tab-view';

/** A VM: its status live, its actions, and a view per tab (each tab its own URL). */
export function VmPage({ params, query, session }: PageProps) {
  const idOrName = params.id ?? '';
  const tab = params.tab ?? 'overview';
  const { vm, error, reload, show } = useLiveVm(idOrName);
  const [actionError, setActionError] = useState<Error | undefined>();
  const [snapshot, setSnapshot] = useState<Schemas['Snapshot'] | undefined>();

  if (!vm) {
    return (
      <Page title={error ? 'VM not available' : idOrName}>
        {error ? <ErrorNotice error={error} /> : <Loading what="Loading the VM" />}
      </Page>
    );
  }
  return (
    <Page
      title={vm.name}
      actions={
        <VmActions
          vm={vm}
          onChanged={show}
          onSnapshot={setSnapshot}
          onDeleted={() => navigate('/vms')}
          onError={setActionError}
        />
      }
    >
      {/* Announced as it changes (creating → running), not only redrawn. */}
      <p class="vm-status" role="status">
        <span class="sr-only">Status: </span>
        <StatusBadge status={vm.status} />
        {vm.status_reason ? <span class="muted"> {vm.status_reason}</span> : null}
      </p>
      <ErrorNotice error={actionError ?? error} />
      {snapshot ? (
        <p class="notice notice-ok" role="status">
          Snapshot <code>{snapshot.id}</code> is being saved; see <Link href="/snapshots">Snapshots</Link>.
        </p>
      ) : null}
      {isVmTab(tab) ? (
        <>
          <VmTabs vmId={vm.id} current={tab} />
          <VmTabView tab={tab} vm={vm} query={query} session={session} onVmChanged={reload} />
        </>
      ) : (
        <p class="notice notice-error" role="alert">
          A VM has no “{tab}” view.{' '}
          <Link href={`/vms/${encodeURIComponent(vm.id)}`}>Back to its overview</Link>
        </p>
      )}
    </Page>
  );
}
