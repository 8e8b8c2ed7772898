import type { Readable } from 'node:stream';
import type { UploadResult } from '../core/data-plane.js';
import type { OutputEvent } from '../core/output.js';
import type { Access } from '../core/principal.js';
import type { TaskRecord } from '../core/task.js';
import type { VmRecord } from '../core/vm.js';
import type { WorkerRecord } from '../core/worker.js';

/**
 * The part of the services integrations use: the same use cases the REST routes call, never
 * HTTP to ourselves. The runtime maps each method to its service (runtime/integrations.ts).
 */
export interface IntegrationPlatform {
  createVm(
    access: Access,
    input: { name: string; metadata?: Record<string, string> },
  ): Promise<{ task: TaskRecord; vm: VmRecord }>;
  execute(
    access: Access,
    idOrName: string,
    input: { command: string; args?: string[]; stdin?: string | null; timeoutMs?: number },
  ): Promise<{ task: TaskRecord; executionId: string }>;
  deleteVm(access: Access, idOrName: string): Promise<{ task: TaskRecord; vm: VmRecord }>;
  waitForTask(id: string, timeoutMs: number): Promise<TaskRecord>;
  getTask(access: Access, id: string): Promise<TaskRecord>;
  /**
   * An execution's output, the path every reader takes: its chunks in order (stored, then live),
   * then its end. The iteration stops early, without an end, when `signal` aborts.
   */
  followOutput(
    access: Access,
    executionId: string,
    options?: { signal?: AbortSignal },
  ): AsyncIterable<OutputEvent>;
  /**
   * Unpacks the tar stream `tar` into the directory `dir` of a running VM (created when missing;
   * relative to the guest's home unless absolute), through the data plane: the bytes reach the
   * guest agent with flow control and are kept in no task row.
   */
  uploadTree(
    access: Access,
    vmId: string,
    dir: string,
    tar: AsyncIterable<Uint8Array>,
    options?: { signal?: AbortSignal },
  ): Promise<UploadResult>;
  /**
   * The directory `dir` of a running VM as a tar stream, named as `docker cp vm:/a/dir -` names
   * it: the top entry is `dir`'s base name, its contents below it. Destroying the stream stops
   * the guest's reads; so does `signal`. ERR_NOT_A_DIRECTORY when `dir` is not one.
   */
  downloadTree(
    access: Access,
    vmId: string,
    dir: string,
    options?: { signal?: AbortSignal },
  ): Promise<Readable>;
  getVm(access: Access, idOrName: string): Promise<VmRecord>;
  listVms(access: Access, filter?: { includeDeleted?: boolean; limit?: number }): Promise<VmRecord[]>;
  listWorkers(): Promise<WorkerRecord[]>;
  /** Platform readiness and queue depth for `/aetherium-status`; from the runtime's probes. */
  status(): Promise<PlatformStatus>;
}

export interface PlatformStatus {
  ok: boolean;
  /** Component name → ok and message, as `/ready` reports them. */
  components: Record<string, { ok: boolean; message: string }>;
  /** Tasks waiting in the queue, all queues and priorities. */
  queueDepth: number;
}
