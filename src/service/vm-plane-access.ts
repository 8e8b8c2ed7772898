/**
 * The first step of every data-plane use case: find the VM as the caller may see it, check that
 * it runs, and find the data plane of the worker that owns it; and the audit line each use case
 * writes (who did what to which VM, how many bytes), kept with the platform's logs.
 */
import type { DataPlane, DataPlaneVm } from '../core/data-plane.js';
import type { Access } from '../core/principal.js';
import { type VmRecord, vmNotRunning } from '../core/vm.js';
import type { ServiceDeps } from './service-context.js';
import { requireVm } from './visibility.js';

/** Finds the data plane of the worker that owns `vm`. */
export type DataPlaneRouter = (vm: VmRecord) => Promise<DataPlane>;

export class VmPlaneAccess {
  constructor(
    private readonly deps: ServiceDeps,
    readonly planeFor: DataPlaneRouter,
  ) {}

  /** The VM (404 when the caller may not see it), which must be running, and its worker's plane. */
  async open(
    access: Access,
    vmIdOrName: string,
    action: string,
  ): Promise<{ vm: VmRecord; plane: DataPlane }> {
    const vm = await requireVm(this.deps.store, access, vmIdOrName);
    return { vm, plane: await this.planeOf(vm, action) };
  }

  /** For a VM already found and authorised by other means (a preview URL's token). */
  async planeOf(vm: VmRecord, action: string): Promise<DataPlane> {
    if (vm.status !== 'running') throw vmNotRunning(vm, action);
    return this.planeFor(vm);
  }

  /** One line per data-plane call. `caller` is the acting project, or a preview URL's id. */
  audit(caller: string | null, vm: VmRecord, operation: string, fields: Record<string, unknown>): void {
    this.deps.logger.info(
      { audit: 'data-plane', operation, project: vm.project, vmId: vm.id, caller, ...fields },
      `data plane: ${operation} on VM ${vm.name}`,
    );
  }
}

export function planeTarget(vm: VmRecord): DataPlaneVm {
  return { id: vm.id, driver: vm.driver };
}
