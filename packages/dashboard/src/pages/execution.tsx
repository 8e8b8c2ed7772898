import { ExecutionOutput } from '../components/execution-output';
import { Page } from '../components/page';
import { ErrorNotice, Loading } from '../components/states';
import { commandLine } from '../components/vm/command-line';
import { ExecutionFacts } from '../components/vm/execution-facts';
import { get, type Schemas, seg } from '../lib/api';
import { shortId } from '../lib/format';
import { useLiveEvents } from '../lib/live-events';
import { useApi } from '../lib/use-api';
import type { PageProps } from './page-props';

/** One execution: what it ran and how it ended, and its output, replayed and then followed live. */
export function ExecutionPage({ params }: PageProps) {
  const id = params.id ?? '';
  const loaded = useApi(
    (signal) => get<Schemas['Execution']>(`/executions/${seg(id)}`, undefined, signal),
    [id],
  );
  const execution = loaded.data;
  // Its task moving (picked up, ended elsewhere) changes the record: read it again.
  useLiveEvents((event) => {
    if (
      event.type === 'ready' ||
      (event.type === 'task' && execution && event.task_id === execution.task_id)
    ) {
      loaded.reload();
    }
  });

  if (!execution) {
    return (
      <Page title={`Execution ${shortId(id)}`}>
        {loaded.error ? <ErrorNotice error={loaded.error} /> : <Loading what="Loading the execution" />}
      </Page>
    );
  }
  return (
    <Page title={`Execution: ${commandLine(execution).slice(0, 60)}`}>
      <ErrorNotice error={loaded.error} />
      <section class="card">
        <h2 id="execution-facts">Details</h2>
        <ExecutionFacts execution={execution} />
      </section>
      <section>
        <h2 id="execution-output">Output</h2>
        <ExecutionOutput
          executionId={execution.id}
          stored={{ stdout: execution.stdout, stderr: execution.stderr }}
          onEnd={loaded.reload}
        />
      </section>
    </Page>
  );
}
