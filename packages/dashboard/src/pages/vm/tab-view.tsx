import type { VmTab } from '../../components/vm/vm-tabs';
import type { Schemas } from '../../lib/api';
import type { Session } from '../../lib/session';
import { ExecutionsTab } from './executions-tab';
import { FilesTab } from './files-tab';
import { OverviewTab } from './overview-tab';
import { PreviewsTab } from './previews-tab';
import { TerminalTab } from './terminal-tab';

/** What every tab of a VM's page gets. */
export interface VmTabProps {
  vm: Schemas['Vm'];
  query: URLSearchParams;
  session: Session;
  /** Read the VM again (after a change a tab made, e.g. its lifetime). */
  onVmChanged: () => void;
}

export function VmTabView({ tab, ...props }: VmTabProps & { tab: VmTab }) {
  switch (tab) {
    case 'overview':
      return <OverviewTab {...props} />;
    case 'executions':
      return <ExecutionsTab {...props} />;
    case 'files':
      return <FilesTab {...props} />;
    case 'terminal':
      return <TerminalTab {...props} />;
    case 'previews':
      return <PreviewsTab {...props} />;
  }
}
