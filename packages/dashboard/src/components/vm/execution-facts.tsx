import type { Schemas } from '../../lib/api';
import { duration, when } from '../../lib/format';
import { Link } from '../link';
import { StatusBadge } from '../status';
import { commandLine } from './command-line';

/** What an execution ran, where, and how it ended. */
export function ExecutionFacts({ execution }: { execution: Schemas['Execution'] }) {
  return (
    <dl class="facts">
      <dt>Command</dt>
      <dd>
        <code>{commandLine(execution)}</code>
      </dd>
      <dt>VM</dt>
      <dd>
        <Link href={`/vms/${encodeURIComponent(execution.vm_id)}/executions`}>{execution.vm_id}</Link>
      </dd>
      <dt>Status</dt>
      <dd>
        <StatusBadge status={execution.outcome} />
        {execution.signal ? ` (${execution.signal})` : ''}
        {execution.timed_out ? ' (timed out)' : ''}
      </dd>
      <dt>Exit code</dt>
      <dd>{execution.exit_code ?? <span class="muted">—</span>}</dd>
      <dt>Duration</dt>
      <dd>{duration(execution.duration_ms)}</dd>
      <dt>Started</dt>
      <dd>{when(execution.started_at)}</dd>
      <dt>Ended</dt>
      <dd>{when(execution.completed_at)}</dd>
      {execution.cwd ? (
        <>
          <dt>Directory</dt>
          <dd>
            <code>{execution.cwd}</code>
          </dd>
        </>
      ) : null}
      {execution.error ? (
        <>
          <dt>Error</dt>
          <dd>
            <strong>{execution.error.code}</strong>: {execution.error.message}
          </dd>
        </>
      ) : null}
    </dl>
  );
}
