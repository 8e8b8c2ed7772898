import { get, type Schemas, seg } from '../../lib/api';
import { when } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { Empty, ErrorNotice, Loading } from '../states';
import { StatusBadge } from '../status';

/**
 * Every status change of the VM with its reason, oldest first. `version` changes when the VM's
 * status does (from the event stream), which reads the timeline again.
 */
export function VmTimeline({ vmId, version }: { vmId: string; version: string }) {
  const events = useApi(
    (signal) => get<Schemas['VmEventList']>(`/vms/${seg(vmId)}/events`, undefined, signal),
    [vmId, version],
  );
  if (!events.data)
    return events.error ? <ErrorNotice error={events.error} /> : <Loading what="Loading the timeline" />;
  if (events.data.events.length === 0) return <Empty>No status change recorded yet.</Empty>;
  return (
    <>
      <ErrorNotice error={events.error} />
      <ol class="timeline">
        {events.data.events.map((event, index) => (
          <li key={`${event.at}-${index}`}>
            <time dateTime={event.at}>{when(event.at)}</time>
            <span class="timeline-change">
              {event.from_status ? (
                <>
                  <StatusBadge status={event.from_status} /> <span aria-hidden="true">→</span>
                  <span class="sr-only">to</span>{' '}
                </>
              ) : null}
              <StatusBadge status={event.to_status} />
            </span>
            <span class="timeline-reason">{event.reason}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
