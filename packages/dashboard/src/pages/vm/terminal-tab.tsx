import { TerminalView } from '../../components/terminal-view';
import type { VmTabProps } from './tab-view';

export function TerminalTab({ vm }: VmTabProps) {
  // Not a labelled section: the terminal itself is the region named "Terminal".
  return (
    <>
      <h2>Terminal</h2>
      {vm.status === 'running' ? (
        <TerminalView vmId={vm.id} />
      ) : (
        <p class="notice">The VM is {vm.status}; a terminal opens in a running VM.</p>
      )}
    </>
  );
}
