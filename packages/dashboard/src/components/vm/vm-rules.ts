// Which actions a VM's status allows, as the service checks them (src/service/vm-power.ts,
// vm-service.ts, snapshot-service.ts): a button is enabled only where the API would accept it.
import type { Schemas } from '../../lib/api';
import { everyValue } from '../../lib/every-value';

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

/** Every status of a VM, for the list's filter; a status the API adds or drops fails to compile. */
export const VM_STATUSES = everyValue<VmStatus>({
  pending: true,
  creating: true,
  running: true,
  paused: true,
  stopping: true,
  stopped: true,
  failed: true,
  lost: true,
  deleted: true,
});
