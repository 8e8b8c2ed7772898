// Every page and its URL. A page's filters are in its query string; sub-views (a VM's files,
// its terminal) are path segments, so each can be linked to.
import type { FunctionComponent } from 'preact';
import { ExecutionPage } from './pages/execution';
import { ExecutionsPage } from './pages/executions';
import { IntegrationsPage } from './pages/integrations';
import { JobPage } from './pages/job';
import { JobsPage } from './pages/jobs';
import { KeysPage } from './pages/keys';
import { LogsPage } from './pages/logs';
import { OverviewPage } from './pages/overview';
import type { PageProps } from './pages/page-props';
import { QueuePage } from './pages/queue';
import { SnapshotsPage } from './pages/snapshots';
import { TaskPage } from './pages/task';
import { TasksPage } from './pages/tasks';
import { VmPage } from './pages/vm';
import { VmCreatePage } from './pages/vm-create';
import { VmsPage } from './pages/vms';
import { WebhookPage } from './pages/webhook';
import { WebhooksPage } from './pages/webhooks';

export interface Route {
  pattern: string;
  page: FunctionComponent<PageProps>;
  /** Only admins see the page (the API refuses others anyway; this keeps the menu honest). */
  admin?: boolean;
}

export const ROUTES: readonly Route[] = [
  { pattern: '/', page: OverviewPage },
  { pattern: '/vms', page: VmsPage },
  { pattern: '/vms/new', page: VmCreatePage },
  { pattern: '/vms/:id', page: VmPage },
  { pattern: '/vms/:id/:tab', page: VmPage },
  { pattern: '/executions', page: ExecutionsPage },
  { pattern: '/executions/:id', page: ExecutionPage },
  { pattern: '/tasks', page: TasksPage },
  { pattern: '/tasks/:id', page: TaskPage },
  { pattern: '/jobs', page: JobsPage },
  { pattern: '/jobs/:id', page: JobPage },
  { pattern: '/snapshots', page: SnapshotsPage },
  { pattern: '/logs', page: LogsPage },
  { pattern: '/webhooks', page: WebhooksPage },
  { pattern: '/webhooks/:id', page: WebhookPage },
  { pattern: '/keys', page: KeysPage },
  { pattern: '/integrations', page: IntegrationsPage, admin: true },
  { pattern: '/queue', page: QueuePage, admin: true },
];
