import { ExecutionService } from './execution-service.js';
import { JobService } from './job-service.js';
import { LiveEventService } from './live-events/live-event-service.js';
import { ExecutionOutputService } from './output/execution-output-service.js';
import { OverviewService } from './overview-service.js';
import { PreviewService } from './preview-service.js';
import type { ServiceDeps, ServiceSettings } from './service-context.js';
import { SnapshotService } from './snapshot-service.js';
import { TaskService } from './task-service.js';
import { VmService } from './vm-service.js';
import { WorkerService } from './worker-service.js';

/**
 * The use cases behind every entry point (REST, CLI through REST, integrations), one service per
 * concept. Writes go to the store first; the queue only dispatches (dispatch.ts). Every call
 * that reads or writes a project's records names its `Access`: what it creates belongs to
 * `access.project`, and a record it cannot see answers exactly as a missing one (visibility.ts).
 */
export interface Services {
  vms: VmService;
  snapshots: SnapshotService;
  executions: ExecutionService;
  /** Every reader's path to an execution's output: stored, then live, then the end. */
  output: ExecutionOutputService;
  jobs: JobService;
  tasks: TaskService;
  workers: WorkerService;
  /** Preview URLs of ports inside VMs: made, listed, revoked, and resolved from their tokens. */
  previews: PreviewService;
  /** The fleet at a glance (VMs, executions, failures, workers) and the queue's own view. */
  overview: OverviewService;
  /** VM, task and worker changes as live feeds, each narrowed to what its caller may see. */
  liveEvents: LiveEventService;
  /** Drops the event subscriptions services share (before the event bus closes). */
  close(): void;
}

export function createServices(deps: ServiceDeps, settings: ServiceSettings): Services {
  const tasks = new TaskService(deps, settings);
  const executions = new ExecutionService(deps, settings);
  return {
    vms: new VmService(deps, settings),
    snapshots: new SnapshotService(deps, settings),
    executions,
    output: new ExecutionOutputService(deps),
    jobs: new JobService(deps, settings),
    tasks,
    workers: new WorkerService(deps),
    previews: new PreviewService(deps),
    overview: new OverviewService(deps),
    liveEvents: new LiveEventService(deps),
    close: () => {
      tasks.close();
      executions.close();
    },
  };
}
