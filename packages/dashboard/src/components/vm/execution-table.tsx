import type { Schemas } from '../../lib/api';
import { ago, duration, when } from '../../lib/format';
import { Link } from '../link';
import { StatusBadge } from '../status';
import { commandLine } from './command-line';

/** Executions, newest first; each command links to the execution's page. */
export function ExecutionTable({ executions }: { executions: readonly Schemas['Execution'][] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">Past executions</caption>
        <thead>
          <tr>
            <th scope="col">Command</th>
            <th scope="col">Outcome</th>
            <th scope="col">Exit code</th>
            <th scope="col">Duration</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {executions.map((execution) => (
            <tr key={execution.id}>
              <td class="wrap">
                <Link href={`/executions/${encodeURIComponent(execution.id)}`} class="mono">
                  {commandLine(execution)}
                </Link>
              </td>
              <td>
                <StatusBadge status={execution.outcome} />
              </td>
              <td>{execution.exit_code ?? <span class="muted">—</span>}</td>
              <td>{duration(execution.duration_ms)}</td>
              <td>
                <time dateTime={execution.created_at} title={when(execution.created_at)}>
                  {ago(execution.started_at ?? execution.created_at)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
