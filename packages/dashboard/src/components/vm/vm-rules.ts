// Which actions a VM's status allows, as the service checks them (src/service/vm-power.ts,
// vm-service.ts, snapshot-service.ts): a button is enabled only where the API would accept it.
import type { Schemas } from '../../lib/api';

export type VmStatus = Schemas['Vm']['status'];
export type VmAction = 'stop' | 'start' | 'pause' | 'resume' | 'snapshot' | 'delete';

const ALLOWED_FROM: Record<VmAction, readonly VmStatus[]> = {
  stop: ['running', 'paused'],
  start: ['stopped'],
  pause: ['running'],
  resume: ['paused'],
  snapshot: ['running'],
  delete: ['pending', 'creating', 'running', 'paused', 'stopped', 'failed', 'lost'],
};

export function canDo(action: VmAction, status: VmStatus): boolean {
  return ALLOWED_FROM[action].includes(status);
}

/** Every status of a VM, for the list's filter. */
export const VM_STATUSES: readonly VmStatus[] = [
  'pending',
  'creating',
  'running',
  'paused',
  'stopping',
  'stopped',
  'failed',
  'lost',
  'deleted',
];
