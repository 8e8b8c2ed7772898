// What went wrong lately, with the stable reason code to search for and a link to the record.
import { Link } from '../../components/link';
import { Empty } from '../../components/states';
import { ago, shortId, when } from '../../lib/format';
import type { RecentFailure } from './types';

const recordPath = (failure: RecentFailure) =>
  `${failure.kind === 'task' ? '/tasks' : '/executions'}/${encodeURIComponent(failure.id)}`;

export function FailuresTable({ failures }: { failures: RecentFailure[] }) {
  return (
    <section aria-labelledby="failures-title">
      <h2 id="failures-title">Recent failures</h2>
      {failures.length === 0 ? (
        <Empty>Nothing failed lately.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Record</th>
                <th scope="col">VM</th>
                <th scope="col">Reason</th>
                <th scope="col">Message</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((failure) => (
                <tr key={`${failure.kind}:${failure.id}`}>
                  <td>{failure.type}</td>
                  <td>
                    <Link href={recordPath(failure)} class="mono" title={failure.id}>
                      {shortId(failure.id)}
                    </Link>
                  </td>
                  <td>
                    {failure.vm_id ? (
                      <Link
                        href={`/vms/${encodeURIComponent(failure.vm_id)}`}
                        class="mono"
                        title={failure.vm_id}
                      >
                        {shortId(failure.vm_id)}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <code>{failure.code ?? '—'}</code>
                  </td>
                  <td class="wrap">{failure.message ?? '—'}</td>
                  <td>
                    <time dateTime={failure.at} title={when(failure.at)}>
                      {ago(failure.at)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
