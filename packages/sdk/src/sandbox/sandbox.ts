/**
 * A sandbox: one VM (a microVM, a container or a namespaced process, as its driver says) seen
 * as the thing an agent or a CI job works in. `Sandbox.create()` returns once it is running;
 * `kill()` (or leaving an `await using` block) deletes it.
 */
import type { CreateVmRequest, DriverName, Snapshot, Task, Vm } from '../api-types.js';
import type { AetherClient } from '../client/client.js';
import { apiErrorOf } from '../errors.js';
import { Commands } from './commands.js';
import { type ConnectionOptions, clientFor } from './connection.js';
import { type Duration, durationSeconds } from './duration.js';
import { Files } from './files.js';
import { Ports } from './ports.js';
import { Pty } from './pty.js';
import { settled } from './task-wait.js';

export interface SandboxCreateOptions extends ConnectionOptions {
  /** Default: a generated `sbx-…` name. Names are unique in a project. */
  name?: string;
  /** `process` (the default), `docker`, `qemu`, `firecracker`, or one a deployment added. */
  driver?: DriverName;
  vcpus?: number;
  memoryMiB?: number;
  /** A guest image (drivers with the `image` feature). */
  image?: string;
  /** Outbound network access (off by default). */
  network?: boolean;
  /** Tools to have besides the default set, e.g. `['python3', 'git']`. */
  tools?: string[];
  /** A version per tool, e.g. `{ nodejs: '20' }`. */
  toolVersions?: Record<string, string>;
  /** Key=value pairs to find it by (`Sandbox.list({ labels })`). */
  labels?: Record<string, string>;
  metadata?: Record<string, string>;
  /** It ends by itself after this long (what `onExpiry` says: deleted by default). */
  ttl?: Duration;
  /** It ends after this long with no command running. */
  idleTimeout?: Duration;
  onExpiry?: 'stop' | 'delete' | 'pause';
  /** Start from a snapshot (`sandbox.snapshot()`) instead of booting. */
  fromSnapshot?: string;
  /**
   * Already aborted: nothing is sent. Aborted later: stops waiting between polls of a create that
   * outlasted the gateway's own wait (the VM may still be made; find it by its name or labels).
   */
  signal?: AbortSignal;
}

/** Aborting `signal` cuts the call's requests in flight; what the gateway began goes on. */
export interface Cancellable {
  signal?: AbortSignal;
}

export interface SandboxListOptions extends ConnectionOptions, Cancellable {
  /** Every pair must match. */
  labels?: Record<string, string>;
  /** e.g. `['running']`. */
  status?: Vm['status'][];
}

function randomName(): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return `sbx-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The snapshot a `vm:snapshot` task made, from its payload. */
function snapshotIdOf(task: Task): string {
  const id = (task.payload as { snapshotId?: unknown } | null)?.snapshotId;
  if (typeof id === 'string') return id;
  throw apiErrorOf(0, 'ERR_HTTP', `task ${task.id} (${task.type}) does not name the snapshot it made`);
}

export class Sandbox {
  /** Run commands. */
  readonly commands: Commands;
  /** Read and write files. */
  readonly files: Files;
  /** Terminals. */
  readonly pty: Pty;
  /** Reach apps listening inside. */
  readonly ports: Ports;

  private constructor(
    /** The REST client this sandbox speaks through (the whole API). */
    readonly client: AetherClient,
    private record: Vm,
  ) {
    this.commands = new Commands(client, record.id);
    this.files = new Files(client, record.id);
    this.pty = new Pty(client, record.id);
    this.ports = new Ports(client, record.id);
  }

  /** Creates a sandbox and resolves once it is running. */
  static async create(options: SandboxCreateOptions = {}): Promise<Sandbox> {
    // A caller that gave up already wants no VM made.
    options.signal?.throwIfAborted();
    const client = await clientFor(options);
    const body: CreateVmRequest = {
      name: options.name ?? randomName(),
      ...(options.driver !== undefined ? { driver: options.driver } : {}),
      ...(options.vcpus !== undefined ? { vcpus: options.vcpus } : {}),
      ...(options.memoryMiB !== undefined ? { memory_mib: options.memoryMiB } : {}),
      ...(options.image !== undefined ? { image: options.image } : {}),
      ...(options.network !== undefined ? { network: options.network } : {}),
      ...(options.tools !== undefined ? { additional_tools: options.tools } : {}),
      ...(options.toolVersions !== undefined ? { tool_versions: options.toolVersions } : {}),
      ...(options.labels !== undefined ? { labels: options.labels } : {}),
      ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
      ...(options.ttl !== undefined ? { ttl_seconds: durationSeconds(options.ttl, 'ttl') } : {}),
      ...(options.idleTimeout !== undefined
        ? { idle_timeout_seconds: durationSeconds(options.idleTimeout, 'idleTimeout') }
        : {}),
      ...(options.onExpiry !== undefined ? { on_expiry: options.onExpiry } : {}),
      ...(options.fromSnapshot !== undefined ? { from_snapshot: options.fromSnapshot } : {}),
    };
    let vm: Vm | undefined;
    await settled(
      client,
      async () => {
        const answer = await client.withSignal(options.signal).createVm(body, { wait: true });
        vm = answer.vm;
        return answer;
      },
      options.signal,
    );
    // A waited answer carries the VM as its task left it; after polling, it is read again.
    const created = vm as Vm | undefined;
    return new Sandbox(
      client,
      created?.status === 'running'
        ? created
        : await client.withSignal(options.signal).getVm(created?.id ?? body.name),
    );
  }

  /** A sandbox that exists, by id or name. NotFoundError when it does not (or is another project's). */
  static async connect(
    idOrName: string,
    options: ConnectionOptions & { signal?: AbortSignal } = {},
  ): Promise<Sandbox> {
    const client = await clientFor(options);
    const record = await client.withSignal(options.signal).getVm(idOrName);
    // The API still shows a deleted VM's record (by id); there is nothing to connect to.
    if (record.status === 'deleted') {
      throw apiErrorOf(404, 'ERR_VM_NOT_FOUND', `sandbox ${idOrName} was deleted`);
    }
    return new Sandbox(client, record);
  }

  /** The project's sandboxes (not deleted ones). */
  static async list(options: SandboxListOptions = {}): Promise<Vm[]> {
    const client = await clientFor(options);
    return client.withSignal(options.signal).listVms({
      ...(options.status ? { status: options.status.join(',') } : {}),
      ...(options.labels ? { labels: Object.entries(options.labels).map(([k, v]) => `${k}=${v}`) } : {}),
    });
  }

  get id(): string {
    return this.record.id;
  }

  get name(): string {
    return this.record.name;
  }

  /** The VM record as last fetched (`refresh()` fetches it again). */
  get info(): Vm {
    return this.record;
  }

  async refresh(options: Cancellable = {}): Promise<Vm> {
    this.record = await this.client.withSignal(options.signal).getVm(this.id);
    return this.record;
  }

  /**
   * Moves when it ends `ttl` later: after its current deadline (after now, if that has passed).
   * A sandbox created without a `ttl` never expires and has no deadline to move (ValidationError).
   */
  async setTimeout(ttl: Duration, options: Cancellable = {}): Promise<void> {
    this.record = await this.client.withSignal(options.signal).extendVm(this.id, durationSeconds(ttl, 'ttl'));
  }

  /** Saves it (memory and disk, on drivers with snapshots); `Sandbox.create({ fromSnapshot })` starts copies. */
  async snapshot(options: Cancellable = {}): Promise<Snapshot> {
    const client = this.client.withSignal(options.signal);
    let snapshotId: string | undefined;
    const task = await settled(
      client,
      async () => {
        const answer = await client.snapshotVm(this.id, { wait: true });
        snapshotId = answer.snapshot.id;
        return answer;
      },
      options.signal,
    );
    // The gateway's wait ended before the snapshot did: no answer came, the task names it.
    snapshotId ??= snapshotIdOf(task);
    return client.getSnapshot(snapshotId);
  }

  /** Stops it, keeping its files; `start()` boots it again. */
  stop(options: Cancellable = {}): Promise<void> {
    return this.#write(options, (client) => client.stopVm(this.id, { wait: true }));
  }

  start(options: Cancellable = {}): Promise<void> {
    return this.#write(options, (client) => client.startVm(this.id, { wait: true }));
  }

  /** Pauses it with its memory and processes (on disk with `hibernate`). */
  pause(options: Cancellable & { hibernate?: boolean } = {}): Promise<void> {
    const hibernate = options.hibernate ?? false;
    return this.#write(options, (client) => client.pauseVm(this.id, { wait: true, hibernate }));
  }

  resume(options: Cancellable = {}): Promise<void> {
    return this.#write(options, (client) => client.resumeVm(this.id, { wait: true }));
  }

  /** Deletes it and everything in it; resolves once it is gone. Killing a deleted one is no error. */
  async kill(options: Cancellable = {}): Promise<void> {
    try {
      await this.#write(options, (client) => client.deleteVm(this.id, { wait: true }));
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_VM_NOT_FOUND') throw error;
    }
  }

  /** `await using sandbox = await Sandbox.create()` deletes it when the block ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
  }

  async #write(
    options: Cancellable,
    send: (client: AetherClient) => Promise<{ task_id: string; vm?: Vm }>,
  ): Promise<void> {
    const client = this.client.withSignal(options.signal);
    let vm: Vm | undefined;
    await settled(
      client,
      async () => {
        const answer = await send(client);
        vm = answer.vm;
        return answer;
      },
      options.signal,
    );
    // A waited answer carries the VM as its task left it; after polling, it is read again.
    if (vm) this.record = vm;
    else await this.refresh(options).catch(() => {});
  }
}
