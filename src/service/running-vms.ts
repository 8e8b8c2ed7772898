import type { EventBus, Unsubscribe } from '../core/events.js';
import type { Access } from '../core/principal.js';
import type { Store } from '../core/store.js';
import type { VmRecord } from '../core/vm.js';
import { requireVm } from './visibility.js';

/** Longest a kept VM is trusted without an event: covers an event lost between processes. */
export const RUNNING_VM_TTL_MS = 2_000;
const MAX_KEPT = 10_000;

/**
 * Running VMs as commands name them. A command is the most frequent request there is, and its VM
 * is nearly always one a recent command named: the lookup (a store round trip on the hot path)
 * is kept until the VM's status changes (`vm.status`, heard in this process) or `ttlMs` passes.
 * Only `running` VMs are kept; anything else is asked of the store, whose answer (not found, not
 * running) is the caller's. A change this process did not hear within the TTL is still caught:
 * the worker reads the VM again in the statement that claims the command, and a VM that is no
 * longer running fails it with the same ERR_VM_NOT_RUNNING.
 */
export class RunningVms {
  private readonly entries = new Map<string, { vm: VmRecord; at: number }>();
  private readonly keysOfVm = new Map<string, Set<string>>();
  private subscription: Unsubscribe | null = null;

  constructor(
    private readonly events: EventBus,
    private readonly ttlMs = RUNNING_VM_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** As `requireVm`: the VM `idOrName` names, visible to `access`, else ERR_VM_NOT_FOUND. */
  async resolve(store: Pick<Store, 'findVm'>, access: Access, idOrName: string): Promise<VmRecord> {
    this.subscription ??= this.events.subscribe('vm.status', (event) => this.forget(event.vmId));
    // Everything requireVm's answer depends on: who asks, and the name or id asked for.
    const key = `${access.all ? '*' : '-'}${access.project}\u0000${idOrName}`;
    const kept = this.entries.get(key);
    if (kept && this.now() - kept.at <= this.ttlMs) return kept.vm;
    const vm = await requireVm(store, access, idOrName);
    if (vm.status === 'running') {
      // Bounded: a fleet of VMs named in every way cannot grow it without end.
      if (this.entries.size >= MAX_KEPT) this.clear();
      this.entries.set(key, { vm, at: this.now() });
      let keys = this.keysOfVm.get(vm.id);
      if (!keys) {
        keys = new Set();
        this.keysOfVm.set(vm.id, keys);
      }
      keys.add(key);
    } else {
      this.entries.delete(key);
    }
    return vm;
  }

  /** Drops every way of naming `vmId` that was kept. */
  forget(vmId: string): void {
    for (const key of this.keysOfVm.get(vmId) ?? []) this.entries.delete(key);
    this.keysOfVm.delete(vmId);
  }

  close(): void {
    this.subscription?.();
    this.subscription = null;
    this.clear();
  }

  private clear(): void {
    this.entries.clear();
    this.keysOfVm.clear();
  }
}
