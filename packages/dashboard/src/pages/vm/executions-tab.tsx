import { useState } from 'preact/hooks';
import { ExecutionOutput } from '../../components/execution-output';
import { Link } from '../../components/link';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import { ExecutionTable } from '../../components/vm/execution-table';
import { RunCommandForm } from '../../components/vm/run-command-form';
import { get, type Schemas, seg } from '../../lib/api';
import { useLiveEvents } from '../../lib/live-events';
import { useApi } from '../../lib/use-api';
import type { VmTabProps } from './tab-view';

export function ExecutionsTab({ vm }: VmTabProps) {
  const [current, setCurrent] = useState<string | null>(null);
  const past = useApi(
    (signal) => get<Schemas['ExecutionList']>(`/vms/${seg(vm.id)}/executions`, { limit: 50 }, signal),
    [vm.id],
  );
  // Commands run from elsewhere (the CLI, an SDK) show up as their tasks move.
  useLiveEvents((event) => {
    if (
      event.type === 'ready' ||
      (event.type === 'task' && event.vm_id === vm.id && event.task_type === 'vm:execute')
    ) {
      past.reload();
    }
  });

  const started = (executionId: string) => {
    setCurrent(executionId);
    past.reload();
  };

  return (
    <>
      <section class="card">
        <h2 id="run-heading">Run a command</h2>
        <RunCommandForm vm={vm} onStarted={started} />
        {current ? (
          <>
            <h3 class="output-heading">
              Output <Link href={`/executions/${encodeURIComponent(current)}`}>(open the execution)</Link>
            </h3>
            <ExecutionOutput key={current} executionId={current} onEnd={past.reload} />
          </>
        ) : null}
      </section>
      <section>
        <h2 id="past-heading">Past executions</h2>
        <ErrorNotice error={past.error} />
        {!past.data ? (
          past.error ? null : (
            <Loading what="Loading executions" />
          )
        ) : past.data.executions.length === 0 ? (
          <Empty>No command has run in this VM yet.</Empty>
        ) : (
          <ExecutionTable executions={past.data.executions} />
        )}
      </section>
    </>
  );
}
