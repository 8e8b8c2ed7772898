// The fleet at a glance: VMs by status and by driver, and the queue's depth and counts.
import { Fragment } from 'preact';
import { Link } from '../../components/link';
import { StatusBadge } from '../../components/status';
import { href } from '../../lib/router';
import { priorityNames } from './priorities';
import type { Overview, PriorityDepth } from './types';

/** Groups that have VMs, largest first, so the list reads like a ranking. */
const ranked = (groups: Record<string, number>) =>
  Object.entries(groups)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);

function VmsByStatus({ vms }: { vms: Overview['vms'] }) {
  const groups = ranked(vms.by_status);
  return (
    <div class="card">
      <h3>VMs by status</h3>
      <p>
        <span class="stat">{vms.total}</span> <span class="muted">in all</span>
      </p>
      {groups.length === 0 ? (
        <p class="muted">No VMs.</p>
      ) : (
        <dl class="facts">
          {groups.map(([status, count]) => (
            <Fragment key={status}>
              <dt>
                <Link href={href('/vms', { status })}>
                  <StatusBadge status={status} />
                </Link>
              </dt>
              <dd>{count}</dd>
            </Fragment>
          ))}
        </dl>
      )}
    </div>
  );
}

function VmsByDriver({ vms }: { vms: Overview['vms'] }) {
  const groups = ranked(vms.by_driver);
  return (
    <div class="card">
      <h3>VMs by driver</h3>
      {groups.length === 0 ? (
        <p class="muted">No VMs.</p>
      ) : (
        <dl class="facts">
          {groups.map(([driver, count]) => (
            <Fragment key={driver}>
              <dt>
                <Link href={href('/vms', { driver })}>{driver}</Link>
              </dt>
              <dd>{count}</dd>
            </Fragment>
          ))}
        </dl>
      )}
    </div>
  );
}

type Queue = NonNullable<Overview['queue']>;

function QueueDepth({ queue }: { queue: Queue }) {
  const depth: PriorityDepth = queue.depth;
  const total = Object.values(depth).reduce((sum, n) => sum + n, 0);
  return (
    <div class="card">
      <h3>Queue depth by priority</h3>
      <p>
        <span class="stat">{total}</span> <span class="muted">waiting</span>
      </p>
      <dl class="facts">
        {priorityNames(depth).map((priority) => (
          <Fragment key={priority}>
            <dt>{priority}</dt>
            <dd>{depth[priority] ?? 0}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}

function QueueCounts({ queue }: { queue: Queue }) {
  const rows = [
    ['waiting', queue.waiting],
    ['active', queue.active],
    ['delayed', queue.delayed],
    ['failed', queue.failed],
  ] as const;
  return (
    <div class="card">
      <h3>Queue tasks</h3>
      <dl class="facts">
        {rows.map(([name, count]) => (
          <Fragment key={name}>
            <dt>{name}</dt>
            <dd>{count}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}

export function FleetCards({ overview }: { overview: Overview }) {
  return (
    <section aria-labelledby="fleet-title">
      <h2 id="fleet-title">VMs and queue</h2>
      <div class="cards">
        <VmsByStatus vms={overview.vms} />
        <VmsByDriver vms={overview.vms} />
        {overview.queue ? (
          <>
            <QueueDepth queue={overview.queue} />
            <QueueCounts queue={overview.queue} />
          </>
        ) : (
          <div class="card">
            <h3>Queue</h3>
            <p class="muted">The queue cannot be read right now; the next refresh tries again.</p>
          </div>
        )}
      </div>
    </section>
  );
}
