/**
 * The use cases of the data plane: files in and out of a VM, signals and stdin for a running
 * execution. Each call is authorised here (the caller's project, the VM's state), logged with who
 * did what to which VM and how many bytes moved, and then handed to the data plane of the worker
 * that owns the VM (`planeFor`: in process, or over the worker's internal listener).
 */
import type { Download, StdinResult, TransferFormat, UploadResult } from '../core/data-plane.js';
import type { CommandSignal } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import { type ExecutionRecord, executionState } from '../core/execution.js';
import type { FsEntry, FsListing } from '../core/guest-files.js';
import type { Access } from '../core/principal.js';
import type { VmRecord } from '../core/vm.js';
import type { VmUsage } from '../core/vm-usage.js';
import type { ServiceDeps } from './service-context.js';
import { requireExecution, requireVm } from './visibility.js';
import { type DataPlaneRouter, planeTarget, VmPlaneAccess } from './vm-plane-access.js';

const MAX_PATH_LENGTH = 4096;

export class DataService {
  private readonly vms: VmPlaneAccess;

  constructor(
    private readonly deps: ServiceDeps,
    planeFor: DataPlaneRouter,
  ) {
    this.vms = new VmPlaneAccess(deps, planeFor);
  }

  async upload(
    access: Access,
    vmIdOrName: string,
    path: string,
    body: AsyncIterable<Uint8Array>,
    options: { format: TransferFormat; mode?: number; signal?: AbortSignal },
  ): Promise<UploadResult> {
    const { vm, plane } = await this.open(access, vmIdOrName, 'files are written');
    const result = await plane.upload(target(vm), checkedPath(path), body, options);
    this.audit(access, vm, 'upload', {
      path,
      format: options.format,
      bytes: result.bytes,
      files: result.files,
    });
    return result;
  }

  async download(
    access: Access,
    vmIdOrName: string,
    path: string,
    options: { format?: TransferFormat; signal?: AbortSignal } = {},
  ): Promise<Download> {
    const { vm, plane } = await this.open(access, vmIdOrName, 'files are read');
    const download = await plane.download(target(vm), checkedPath(path), options);
    let bytes = 0;
    download.body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    download.body.once('close', () =>
      this.audit(access, vm, 'download', { path, format: download.format, bytes }),
    );
    return download;
  }

  async stat(access: Access, vmIdOrName: string, path: string): Promise<FsEntry> {
    const { vm, plane } = await this.open(access, vmIdOrName, 'files are read');
    return plane.stat(target(vm), checkedPath(path));
  }

  async list(access: Access, vmIdOrName: string, path: string, recursive: boolean): Promise<FsListing> {
    const { vm, plane } = await this.open(access, vmIdOrName, 'files are read');
    return plane.list(target(vm), checkedPath(path), { recursive });
  }

  async mkdir(access: Access, vmIdOrName: string, path: string, parents: boolean): Promise<void> {
    const { vm, plane } = await this.open(access, vmIdOrName, 'files are written');
    await plane.mkdir(target(vm), checkedPath(path), { parents });
    this.audit(access, vm, 'mkdir', { path });
  }

  async remove(access: Access, vmIdOrName: string, path: string, recursive: boolean): Promise<void> {
    const { vm, plane } = await this.open(access, vmIdOrName, 'files are written');
    await plane.remove(target(vm), checkedPath(path), { recursive });
    this.audit(access, vm, 'remove', { path, recursive });
  }

  async rename(access: Access, vmIdOrName: string, from: string, to: string): Promise<void> {
    const { vm, plane } = await this.open(access, vmIdOrName, 'files are written');
    await plane.rename(target(vm), checkedPath(from), checkedPath(to));
    this.audit(access, vm, 'rename', { from, to });
  }

  /**
   * The executions of a VM running now, as its worker sees them, with their records (command,
   * start): what `ps` shows.
   */
  async processes(
    access: Access,
    vmIdOrName: string,
  ): Promise<{ execution: ExecutionRecord; pid: number | null }[]> {
    const { vm, plane } = await this.open(access, vmIdOrName, 'processes are listed');
    const running = await plane.processes(target(vm));
    const found = await Promise.all(
      running.map(async ({ executionId, pid }) => {
        const execution = await this.deps.store.getExecution(executionId);
        // Ended between the two reads, or not this VM's (it cannot be): not shown.
        return execution && execution.vmId === vm.id && !execution.completedAt ? { execution, pid } : null;
      }),
    );
    return found.filter((p) => p !== null);
  }

  /** What a running VM uses now, read on its worker by its driver (nulls where it cannot tell). */
  async usage(access: Access, vmIdOrName: string): Promise<{ vm: VmRecord; usage: VmUsage }> {
    const { vm, plane } = await this.open(access, vmIdOrName, 'its usage is read');
    return { vm, usage: await plane.usage(target(vm)) };
  }

  /** Signals a running execution's process tree (ERR_EXECUTION_NOT_RUNNING once it ended). */
  async signal(access: Access, executionId: string, signal: CommandSignal): Promise<void> {
    const { vm, plane } = await this.forExecution(access, executionId);
    await plane.signal(target(vm), executionId, signal);
    this.audit(access, vm, 'signal', { executionId, signal });
  }

  /** Feeds the stdin of an execution started with `stdin_stream`; resolves when stdin closed. */
  async stdin(access: Access, executionId: string, body: AsyncIterable<Uint8Array>): Promise<StdinResult> {
    const { vm, plane } = await this.forExecution(access, executionId);
    const result = await plane.stdin(target(vm), executionId, body);
    this.audit(access, vm, 'stdin', { executionId, bytes: result.bytes });
    return result;
  }

  private open(access: Access, vmIdOrName: string, action: string) {
    return this.vms.open(access, vmIdOrName, action);
  }

  private async forExecution(access: Access, executionId: string) {
    const execution = await requireExecution(this.deps.store, access, executionId);
    const state = executionState(execution);
    if (state !== 'running' && state !== 'pending') {
      throw new AetherError('ERR_EXECUTION_NOT_RUNNING', `execution ${executionId} has ended (${state})`, {
        details: { state },
      });
    }
    const vm = await requireVm(this.deps.store, access, execution.vmId);
    return { vm, plane: await this.vms.planeOf(vm, 'commands take signals and stdin') };
  }

  private audit(access: Access, vm: VmRecord, operation: string, fields: Record<string, unknown>): void {
    this.vms.audit(access.project, vm, operation, fields);
  }
}

const target = planeTarget;

/** Paths are the guest's business; here only what no path may be. */
function checkedPath(path: string): string {
  if (path.length === 0) throw new AetherError('ERR_VALIDATION', 'path must not be empty');
  if (path.length > MAX_PATH_LENGTH)
    throw new AetherError('ERR_VALIDATION', `path is longer than ${MAX_PATH_LENGTH} characters`);
  if (path.includes('\0')) throw new AetherError('ERR_VALIDATION', 'path must not contain NUL');
  return path;
}
