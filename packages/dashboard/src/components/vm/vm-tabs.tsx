import { Link } from '../link';

/** A VM page's views; each is its own URL (`/vms/{id}/{tab}`; the overview is `/vms/{id}`). */
export const VM_TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'executions', label: 'Executions' },
  { id: 'files', label: 'Files' },
  { id: 'terminal', label: 'Terminal' },
  { id: 'previews', label: 'Previews' },
] as const;

export type VmTab = (typeof VM_TABS)[number]['id'];

export function isVmTab(value: string): value is VmTab {
  return VM_TABS.some((tab) => tab.id === value);
}

export function vmTabHref(vmId: string, tab: VmTab): string {
  const base = `/vms/${encodeURIComponent(vmId)}`;
  return tab === 'overview' ? base : `${base}/${tab}`;
}

export function VmTabs({ vmId, current }: { vmId: string; current: VmTab }) {
  return (
    <nav class="tabs" aria-label="VM sections">
      {VM_TABS.map((tab) => (
        <Link
          key={tab.id}
          href={vmTabHref(vmId, tab.id)}
          aria-current={tab.id === current ? 'page' : undefined}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
