/**
 * Test support: a stand-in for Firecracker's API server on a Unix socket, for the places where no
 * Firecracker binary and no KVM exist. It holds every request to the documented contract:
 * - transport: no chunked bodies (micro_http has none), a GET without a body, a PUT/PATCH with
 *   one, at most 51 200 bytes, resource ids of letters, digits and `_` matching the body's id;
 * - bodies: the schemas of `fake-api-schemas.ts` (required fields, types, unknown fields refused);
 * - lifecycle: pre-boot-only calls refused after InstanceStart and post-boot-only calls before it,
 *   the logger set once, InstanceStart once and only with a kernel, snapshots only while paused,
 *   snapshot load only in a fresh process;
 * - snapshots: create writes the state and memory files (a format of the fake's own: the VM's
 *   configuration, and the guest's files as its "memory") into directories the VMM can write,
 *   and resets the guest's vsock connections; load restores the devices the snapshot recorded,
 *   so their files must be usable at the same (relative or chroot) paths, binds the recorded
 *   vsock socket (or `vsock_override`), renames TAPs only through `network_overrides` of
 *   interfaces the snapshot has, and a load that fails ends the process, as Firecracker's does;
 * - files: the kernel, drives, log, metrics and console paths must exist (Firecracker opens, never
 *   creates them), resolved inside the jail when there is one and, when a jailed uid is given,
 *   usable by that uid;
 * answering 204, 200 + JSON, or 400 with `{"fault_message": ...}` as Firecracker does. After
 * InstanceStart a `FakeGuest` boots: console line, real agent, vsock handshake.
 */
import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { type BodySchema, checkBody, SCHEMAS } from './fake-api-schemas.js';
import { Fault, parseRequestBody, serdeFault } from './fake-api-transport.js';
import { FakeGuest, type FakeGuestMemory, type FakeGuestOptions } from './fake-guest.js';
import { FakeVmmFiles } from './fake-vmm-files.js';

const NOT_AFTER_BOOT = 'The requested operation is not supported after starting the microVM.';
const NOT_BEFORE_BOOT = 'The requested operation is not supported before starting the microVM.';

export interface FakeFault {
  method: string;
  /** Exact request path, e.g. `/boot-source` or `/drives/rootfs`. */
  path: string;
  message: string;
  /** Default 400. */
  status?: number;
  /**
   * Instead of a fault, the VMM is killed while it handles the request: what the request writes
   * is written (a snapshot's files), no answer ever comes, and the process dies (`onKilled`).
   */
  kill?: boolean;
}

export interface FakeFirecrackerOptions {
  /** Host path the API listens on. */
  apiSocket: string;
  /** The instance id (`--id`). */
  id?: string;
  /** The jail's root: every path in a request is resolved inside it, as after the jailer's chroot. */
  root?: string | null;
  /** The jailed uid/gid: files handed to the VMM must be usable by them. */
  owner?: { uid: number; gid: number } | null;
  /** SendCtrlAltDel exists on x86 only. Default x86_64. */
  arch?: 'x86_64' | 'aarch64';
  /** The guest that boots on InstanceStart; `ctrlAltDel: 'ignore'` is a guest without i8042. */
  guest?: Pick<FakeGuestOptions, 'agentBundle' | 'bootDelayMs' | 'whileBooting'> & {
    ctrlAltDel?: 'shutdown' | 'ignore';
  };
  /** Each fault answers the first request to its method and path instead of the real handling. */
  faults?: FakeFault[];
  /** Called when the guest shut down and a real Firecracker would exit. */
  onGuestShutdown?: () => void;
  /** Called after answering a snapshot load that failed: Firecracker ends the process then. */
  onLoadFailed?: () => void;
  /** Called for a `kill` fault, the request handled and unanswered: the process dies at once. */
  onKilled?: () => void;
  /** Called with each request once answered (as `requests` records it). */
  onRequest?: (request: RecordedRequest) => void;
}

/** What the fake's snapshot state file holds. */
interface FakeSnapshotState {
  format: typeof SNAPSHOT_FORMAT;
  config: {
    'machine-config': Record<string, unknown>;
    'boot-source'?: Record<string, unknown>;
    drives: Record<string, unknown>[];
    'network-interfaces': Record<string, unknown>[];
    vsock?: Record<string, unknown>;
  };
}

const SNAPSHOT_FORMAT = 'aetherium-fake-firecracker-snapshot/1';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
  fault?: string;
}

type VmState = 'Not started' | 'Running' | 'Paused';

interface Route {
  method: string;
  /** `{id}` matches one path segment. */
  pattern: RegExp;
  handle(body: Record<string, unknown>, id: string | undefined): unknown;
}

export class FakeFirecracker {
  readonly requests: RecordedRequest[] = [];
  private vmState: VmState = 'Not started';
  private loggerSet = false;
  /** Anything but the logger and metrics configured: a snapshot can no longer be loaded. */
  private bootResourceSet = false;
  private readonly config: {
    'machine-config': Record<string, unknown>;
    'boot-source'?: Record<string, unknown>;
    drives: Map<string, Record<string, unknown>>;
    'network-interfaces': Map<string, Record<string, unknown>>;
    vsock?: Record<string, unknown>;
    entropy?: Record<string, unknown>;
    serial?: Record<string, unknown>;
    logger?: Record<string, unknown>;
    metrics?: Record<string, unknown>;
  } = {
    'machine-config': {
      vcpu_count: 1,
      mem_size_mib: 128,
      smt: false,
      track_dirty_pages: false,
      huge_pages: 'None',
    },
    drives: new Map(),
    'network-interfaces': new Map(),
  };
  private readonly faults: FakeFault[];
  private readonly routes: Route[];
  private guest: FakeGuest | null = null;
  private vsockHostPath: string | null = null;
  private readonly files: FakeVmmFiles;

  private constructor(
    private readonly options: FakeFirecrackerOptions,
    private readonly server: Server,
  ) {
    this.faults = [...(options.faults ?? [])];
    this.files = new FakeVmmFiles(options.root ?? null, options.owner ?? null);
    this.routes = this.buildRoutes();
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res));
  }

  static async start(options: FakeFirecrackerOptions): Promise<FakeFirecracker> {
    const server = createServer();
    const fake = new FakeFirecracker(options, server);
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.apiSocket, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
    return fake;
  }

  get state(): VmState {
    return this.vmState;
  }

  /** The guest stops (its agent dies); the servers and their socket files stay. */
  halt(): void {
    this.guest?.stop();
  }

  async close(): Promise<void> {
    await this.guest?.close();
    this.server.closeAllConnections();
    await new Promise((done) => this.server.close(done));
    if (this.vsockHostPath) await rm(this.vsockHostPath, { force: true });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? '';
    const path = (req.url ?? '/').split('?')[0]!;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const record: RecordedRequest = { method, path, headers: { ...req.headers }, body: undefined, status: 0 };
    this.requests.push(record);
    let status = 204;
    let answer: unknown;
    try {
      const body = parseRequestBody(req, method, raw);
      record.body = body;
      const injected = this.faults.findIndex((f) => f.method === method && f.path === path);
      const fault = injected === -1 ? undefined : this.faults.splice(injected, 1)[0];
      if (fault && !fault.kill) throw new Fault(fault.message, fault.status);
      const { route, id } = this.match(method, path);
      answer = await route.handle((body ?? {}) as Record<string, unknown>, id);
      if (fault?.kill) {
        record.fault = `killed: ${fault.message}`;
        this.options.onKilled?.();
        // In-process (no process to end): the connection is cut, unanswered.
        res.socket?.destroy();
        return;
      }
      if (method === 'GET') status = 200;
    } catch (error) {
      status = error instanceof Fault ? error.status : 500;
      answer = { fault_message: (error as Error).message };
      record.fault = (error as Error).message;
    }
    record.status = status;
    this.options.onRequest?.(record);
    if (answer === undefined) {
      res.writeHead(status).end();
    } else {
      const text = JSON.stringify(answer);
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    }
  }

  private match(method: string, path: string): { route: Route; id: string | undefined } {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (found) return { route, id: found[1] };
    }
    throw new Fault(`Invalid request method and/or path: ${method} ${path}.`);
  }

  private buildRoutes(): Route[] {
    const r = (method: string, path: string, handle: Route['handle']): Route => ({
      method,
      pattern: new RegExp(`^${path.replace('{id}', '([^/]*)')}$`),
      handle,
    });
    return [
      r('GET', '/', () => ({
        app_name: 'Firecracker',
        id: this.options.id ?? 'anonymous-instance',
        state: this.vmState,
        vmm_version: '1.16.1',
      })),
      r('GET', '/version', () => ({ firecracker_version: '1.16.1' })),
      r('GET', '/machine-config', () => this.config['machine-config']),
      r('GET', '/vm/config', () => ({
        'boot-source': this.config['boot-source'] ?? null,
        'machine-config': this.config['machine-config'],
        drives: [...this.config.drives.values()],
        'network-interfaces': [...this.config['network-interfaces'].values()],
        vsock: this.config.vsock ?? null,
        entropy: this.config.entropy ?? null,
        logger: this.config.logger ?? null,
        metrics: this.config.metrics ?? null,
      })),
      r('PUT', '/logger', (body) => {
        this.preBoot(body, SCHEMAS.logger);
        if (this.loggerSet) throw new Fault('The logger was already initialized.');
        if (typeof body.log_path === 'string')
          this.files.need(body.log_path, 'write', 'Failed to open target file');
        this.loggerSet = true;
        this.config.logger = body;
      }),
      r('PUT', '/metrics', (body) => {
        this.preBoot(body, SCHEMAS.metrics);
        if (this.config.metrics) throw new Fault('Reinitialization of metrics not allowed.');
        this.files.need(body.metrics_path as string, 'write', 'Failed to open target file');
        this.config.metrics = body;
      }),
      r('PUT', '/machine-config', (body) => {
        this.bootResource(body, SCHEMAS.machineConfig);
        this.config['machine-config'] = this.machineConfig({
          smt: false,
          track_dirty_pages: false,
          huge_pages: 'None',
          ...body,
        });
      }),
      r('PATCH', '/machine-config', (body) => {
        this.bootResource(body, SCHEMAS.machineConfigPatch);
        this.config['machine-config'] = this.machineConfig({ ...this.config['machine-config'], ...body });
      }),
      r('PUT', '/boot-source', (body) => {
        this.bootResource(body, SCHEMAS.bootSource);
        this.files.need(body.kernel_image_path as string, 'read', 'The kernel file cannot be opened');
        if (typeof body.initrd_path === 'string')
          this.files.need(body.initrd_path, 'read', 'The initrd file cannot be opened');
        this.config['boot-source'] = body;
      }),
      r('PUT', '/drives/{id}', (body, id) => {
        this.bootResource(body, SCHEMAS.drive);
        this.sameId(id, body.drive_id);
        if (typeof body.path_on_host === 'string') {
          const access = body.is_read_only === true ? 'read' : 'readwrite';
          this.files.need(body.path_on_host, access, 'Unable to create the virtio block device');
        } else if (typeof body.socket !== 'string') {
          throw new Fault('Unable to create the virtio block device: path_on_host or socket is required');
        }
        const otherRoot = [...this.config.drives.values()].find(
          (d) => d.is_root_device === true && d.drive_id !== id,
        );
        if (body.is_root_device === true && otherRoot) throw new Fault('A root block device already exists!');
        this.config.drives.set(id!, body);
      }),
      r('PATCH', '/drives/{id}', (body, id) => {
        this.postBoot(body, SCHEMAS.drivePatch);
        this.sameId(id, body.drive_id);
        if (!this.config.drives.has(id!)) throw new Fault(`Invalid block device ID: ${id}`);
      }),
      r('PUT', '/network-interfaces/{id}', (body, id) => {
        this.bootResource(body, SCHEMAS.networkInterface);
        this.sameId(id, body.iface_id);
        const tap = body.host_dev_name as string;
        if (tap.length === 0 || tap.length > 15)
          throw new Fault(`Could not create the network device: Open tap device failed: invalid name ${tap}`);
        if (
          typeof body.guest_mac === 'string' &&
          !/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(body.guest_mac)
        )
          throw new Fault(`invalid value: string "${body.guest_mac}", expected MAC address`);
        if (typeof body.mtu === 'number' && (body.mtu < 68 || body.mtu > 65_535))
          throw new Fault(`Invalid MTU ${body.mtu}`);
        this.config['network-interfaces'].set(id!, body);
      }),
      r('PATCH', '/network-interfaces/{id}', (body, id) => {
        this.postBoot(body, SCHEMAS.networkInterfacePatch);
        this.sameId(id, body.iface_id);
        if (!this.config['network-interfaces'].has(id!)) throw new Fault(`Invalid interface ID: ${id}`);
      }),
      r('PUT', '/vsock', async (body) => {
        this.bootResource(body, SCHEMAS.vsock);
        if ((body.guest_cid as number) < 3)
          throw new Fault(`Invalid guest CID ${body.guest_cid}: must be >= 3`);
        return this.attachVsock(body);
      }),
      r('PUT', '/entropy', (body) => {
        this.bootResource(body, SCHEMAS.entropy);
        this.config.entropy = body;
      }),
      r('PUT', '/serial', (body) => {
        this.preBoot(body, SCHEMAS.serial);
        if (typeof body.serial_out_path === 'string')
          this.files.need(body.serial_out_path, 'write', 'Failed to open the serial output file');
        this.config.serial = body;
      }),
      r('PUT', '/actions', (body) => {
        const problem = checkBody(body, SCHEMAS.action);
        if (problem) throw serdeFault(problem);
        return this.action(body.action_type as string);
      }),
      r('PATCH', '/vm', (body) => {
        this.postBoot(body, SCHEMAS.vm);
        this.vmState = body.state === 'Paused' ? 'Paused' : 'Running';
        if (this.vmState === 'Paused') this.guest?.pause();
        else this.guest?.resume();
      }),
      r('PUT', '/snapshot/create', (body) => {
        this.postBoot(body, SCHEMAS.snapshotCreate);
        if (this.vmState !== 'Paused')
          throw new Fault('Cannot create a snapshot: the microVM is not paused. Pause it first.');
        const statePath = body.snapshot_path as string;
        const memoryPath = body.mem_file_path as string;
        this.files.needParent(statePath, 'Cannot create the snapshot file');
        this.files.needParent(memoryPath, 'Cannot create the memory file');
        const state: FakeSnapshotState = {
          format: SNAPSHOT_FORMAT,
          config: {
            'machine-config': this.config['machine-config'],
            ...(this.config['boot-source'] ? { 'boot-source': this.config['boot-source'] } : {}),
            drives: [...this.config.drives.values()],
            'network-interfaces': [...this.config['network-interfaces'].values()],
            ...(this.config.vsock ? { vsock: this.config.vsock } : {}),
          },
        };
        this.writeVmmFile(statePath, JSON.stringify(state));
        this.writeVmmFile(memoryPath, JSON.stringify(this.guest?.memory() ?? {}));
        // Firecracker sends the guest a vsock transport reset: open connections are closed.
        this.guest?.resetConnections();
      }),
      r('PUT', '/snapshot/load', async (body) => {
        this.preBoot(body, SCHEMAS.snapshotLoad);
        if (this.bootResourceSet)
          throw new Fault(
            'Loading a microVM snapshot not allowed after configuring boot-specific resources.',
          );
        if ((body.mem_backend === undefined) === (body.mem_file_path === undefined))
          throw new Fault('Exactly one of mem_backend or mem_file_path must be given.');
        this.files.need(body.snapshot_path as string, 'read', 'Cannot open the snapshot file');
        const memory = (body.mem_backend as { backend_path?: string } | undefined)?.backend_path;
        this.files.need((memory ?? body.mem_file_path) as string, 'read', 'Cannot open the memory file');
        try {
          return await this.load(body, (memory ?? body.mem_file_path) as string);
        } catch (error) {
          setTimeout(() => this.options.onLoadFailed?.(), 20).unref();
          throw error;
        }
      }),
    ];
  }

  private preBoot(body: unknown, schema: BodySchema): void {
    const problem = checkBody(body, schema);
    if (problem) throw serdeFault(problem);
    if (this.vmState !== 'Not started') throw new Fault(NOT_AFTER_BOOT);
  }

  private bootResource(body: unknown, schema: BodySchema): void {
    this.preBoot(body, schema);
    this.bootResourceSet = true;
  }

  private postBoot(body: unknown, schema: BodySchema): void {
    const problem = checkBody(body, schema);
    if (problem) throw serdeFault(problem);
    if (this.vmState === 'Not started') throw new Fault(NOT_BEFORE_BOOT);
  }

  private sameId(pathId: string | undefined, bodyId: unknown): void {
    if (!pathId || !/^[A-Za-z0-9_]+$/.test(pathId))
      throw new Fault('API Resource IDs can only contain alphanumeric characters and underscores.');
    if (pathId !== bodyId) throw new Fault('The id from the path does not match the id from the body!');
  }

  private machineConfig(config: Record<string, unknown>): Record<string, unknown> {
    const vcpus = config.vcpu_count as number;
    if (vcpus < 1 || vcpus > 32 || (config.smt === true && vcpus > 1 && vcpus % 2 === 1)) {
      throw new Fault(
        'The vCPU number is invalid! The vCPU number can only be 1 or an even number when SMT is enabled.',
      );
    }
    if ((config.mem_size_mib as number) < 1) throw new Fault('The memory size (MiB) is invalid.');
    return config;
  }

  /** A path as the VMM names it, on the host. */
  hostPath(path: string): string {
    return this.files.hostPath(path);
  }

  /** A file the VMM creates: it belongs to the VMM's uid. */
  private writeVmmFile(path: string, data: string): void {
    const host = this.hostPath(path);
    writeFileSync(host, data, { mode: 0o600 });
    if (this.options.owner) chownSync(host, this.options.owner.uid, this.options.owner.gid);
  }

  /** The snapshot's devices back, at the paths it recorded (with the overrides given). */
  private async load(body: Record<string, unknown>, memoryPath: string): Promise<void> {
    let state: FakeSnapshotState;
    let memory: FakeGuestMemory;
    try {
      state = JSON.parse(
        readFileSync(this.hostPath(body.snapshot_path as string), 'utf8'),
      ) as FakeSnapshotState;
      memory = JSON.parse(readFileSync(this.hostPath(memoryPath), 'utf8')) as FakeGuestMemory;
      if (state.format !== SNAPSHOT_FORMAT) throw new Error(`unknown format ${String(state.format)}`);
    } catch (error) {
      throw new Fault(
        `Load microVM snapshot error: Cannot deserialize the microVM state: ${(error as Error).message}`,
      );
    }
    const { config } = state;
    for (const drive of config.drives) {
      if (typeof drive.path_on_host !== 'string') continue;
      const access = drive.is_read_only === true ? 'read' : 'readwrite';
      this.files.need(
        drive.path_on_host,
        access,
        'Load microVM snapshot error: Unable to restore the block device',
      );
    }
    const interfaces = config['network-interfaces'].map((iface) => ({ ...iface }));
    for (const override of (body.network_overrides ?? []) as { iface_id: string; host_dev_name: string }[]) {
      const iface = interfaces.find((i) => i.iface_id === override.iface_id);
      if (!iface)
        throw new Fault(
          `Load microVM snapshot error: Invalid network override: no interface ${override.iface_id}`,
        );
      iface.host_dev_name = override.host_dev_name;
    }
    const vsockOverride = body.vsock_override as { uds_path: string } | undefined;
    if (vsockOverride && !config.vsock)
      throw new Fault(
        'Load microVM snapshot error: vsock_override given, but the snapshot has no vsock device',
      );
    if (config.vsock) await this.attachVsock({ ...config.vsock, ...(vsockOverride ?? {}) });
    this.config['machine-config'] = config['machine-config'];
    if (config['boot-source']) this.config['boot-source'] = config['boot-source'];
    for (const drive of config.drives) this.config.drives.set(drive.drive_id as string, drive);
    for (const iface of interfaces) this.config['network-interfaces'].set(iface.iface_id as string, iface);
    this.vmState = body.resume_vm === true ? 'Running' : 'Paused';
    this.guest?.restore({ agentPort: this.agentPort(), serialPath: null }, memory);
    if (this.vmState === 'Paused') this.guest?.pause();
  }

  /** The guest's agent port: the kernel command line's `aether.agent=vsock:N`. */
  private agentPort(): number | null {
    const bootArgs = String(this.config['boot-source']?.boot_args ?? '');
    const port = /(?:^|\s)aether\.agent=vsock:(\d+)(?:\s|$)/.exec(bootArgs)?.[1];
    return port === undefined ? null : Number(port);
  }

  private async attachVsock(body: Record<string, unknown>): Promise<void> {
    const host = this.hostPath(body.uds_path as string);
    const guest = new FakeGuest({ ...this.options.guest, workDir: dirname(host) });
    try {
      await guest.listenVsock(host);
    } catch (error) {
      throw new Fault(
        `Cannot create backend for vsock device: UnixBind(${(error as NodeJS.ErrnoException).code ?? 'error'}): ${body.uds_path}`,
      );
    }
    await this.guest?.close();
    this.guest = guest;
    this.vsockHostPath = host;
    this.config.vsock = body;
  }

  private action(type: string): void {
    if (type === 'InstanceStart') {
      if (this.vmState !== 'Not started') throw new Fault(NOT_AFTER_BOOT);
      if (!this.config['boot-source']) throw new Fault('Cannot start microvm without kernel configuration.');
      this.vmState = 'Running';
      this.bootGuest();
      return;
    }
    if (this.vmState === 'Not started') throw new Fault(NOT_BEFORE_BOOT);
    if (type === 'SendCtrlAltDel') {
      if ((this.options.arch ?? 'x86_64') !== 'x86_64')
        throw new Fault('SendCtrlAltDel is not supported on this architecture.');
      if (this.options.guest?.ctrlAltDel === 'ignore') return;
      // The guest shuts down and resets; Firecracker exits on the reset.
      setTimeout(() => {
        this.guest?.stop();
        this.options.onGuestShutdown?.();
      }, 50).unref();
    }
  }

  private bootGuest(): void {
    const serial = this.config.serial?.serial_out_path;
    // Without a vsock device nobody can reach the guest; it boots all the same.
    this.guest?.boot({
      agentPort: this.agentPort(),
      serialPath: typeof serial === 'string' ? this.hostPath(serial) : null,
    });
  }
}

export { checkBody, SCHEMAS } from './fake-api-schemas.js';
