/**
 * Typed calls to one Firecracker process's API. Each method is one documented endpoint; the
 * comments say when Firecracker accepts it (pre-boot: before InstanceStart; post-boot: after).
 * Requests are synchronous on Firecracker's side: the answer comes once the VMM did the work,
 * so calls need no pauses between them.
 */
import { AetherError } from '../../core/errors.js';
import { type ApiMethod, assertResourceId, FirecrackerTransport } from './api-transport.js';
import type {
  BootSource,
  Drive,
  EntropyDevice,
  FirecrackerVersion,
  InstanceActionInfo,
  InstanceInfo,
  LoggerConfig,
  MachineConfig,
  MachineConfigInfo,
  MetricsConfig,
  NetworkInterface,
  PartialDrive,
  PartialNetworkInterface,
  SerialConfig,
  SnapshotCreateParams,
  SnapshotLoadParams,
  Vsock,
} from './api-types.js';

/** Loading a snapshot maps guest memory and restores devices: far slower than a config call. */
const SNAPSHOT_TIMEOUT_MS = 120_000;
const POLL_MS = 10;

export interface ApiClientOptions {
  /** Per-request deadline. Default 5 000 ms. */
  timeoutMs?: number;
}

export class FirecrackerApi {
  private readonly transport: FirecrackerTransport;

  constructor(socketPath: string, options: ApiClientOptions = {}) {
    this.transport = new FirecrackerTransport(socketPath, options);
  }

  get socketPath(): string {
    return this.transport.socketPath;
  }

  /**
   * Polls every 10 ms until the socket exists and `GET /machine-config` answers (what
   * Firecracker's own SDK waits for), or `timeoutMs` passes; `alive` may end the wait early
   * (the process exited). Rejects with the last failure.
   */
  async waitReady(timeoutMs: number, alive: () => string | null = () => null): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown = null;
    for (;;) {
      const dead = alive();
      if (dead)
        throw new AetherError('ERR_DRIVER_FAILED', `Firecracker exited before its API answered: ${dead}`);
      try {
        await this.getMachineConfig(Math.max(50, Math.min(1_000, deadline - Date.now())));
        return;
      } catch (error) {
        last = error;
      }
      if (Date.now() >= deadline) {
        throw new AetherError(
          'ERR_DRIVER_FAILED',
          `Firecracker API at ${this.socketPath} not ready after ${timeoutMs} ms: ${(last as Error).message}`,
          { cause: last },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** `GET /`: id, state (`Not started`, `Running`, `Paused`) and version. Any time. */
  describeInstance(): Promise<InstanceInfo> {
    return this.get<InstanceInfo>('/');
  }

  /** `GET /version`. Any time. */
  version(): Promise<FirecrackerVersion> {
    return this.get<FirecrackerVersion>('/version');
  }

  /** `GET /vm/config`: everything configured so far. Any time. */
  vmConfig(): Promise<Record<string, unknown>> {
    return this.get<Record<string, unknown>>('/vm/config');
  }

  /** `GET /machine-config`. Any time. */
  getMachineConfig(timeoutMs?: number): Promise<MachineConfigInfo> {
    return this.get<MachineConfigInfo>('/machine-config', timeoutMs);
  }

  /** `PUT /logger`. Pre-boot, and only once per process. */
  putLogger(config: LoggerConfig): Promise<void> {
    return this.write('PUT', '/logger', config);
  }

  /** `PUT /metrics`. Pre-boot. */
  putMetrics(config: MetricsConfig): Promise<void> {
    return this.write('PUT', '/metrics', config);
  }

  /** `PUT /machine-config`. Pre-boot; optional fields left out go back to their defaults. */
  putMachineConfig(config: MachineConfig): Promise<void> {
    return this.write('PUT', '/machine-config', config);
  }

  /** `PATCH /machine-config`: only the fields given. Pre-boot. */
  patchMachineConfig(config: Partial<MachineConfig>): Promise<void> {
    return this.write('PATCH', '/machine-config', config);
  }

  /** `PUT /boot-source`. Pre-boot. */
  putBootSource(source: BootSource): Promise<void> {
    return this.write('PUT', '/boot-source', source);
  }

  /** `PUT /drives/{id}`. Pre-boot. */
  putDrive(drive: Drive): Promise<void> {
    assertResourceId('drive', drive.drive_id);
    return this.write('PUT', `/drives/${drive.drive_id}`, drive);
  }

  /** `PATCH /drives/{id}`: a new backing file or rate limiter. Post-boot. */
  patchDrive(drive: PartialDrive): Promise<void> {
    assertResourceId('drive', drive.drive_id);
    return this.write('PATCH', `/drives/${drive.drive_id}`, drive);
  }

  /** `PUT /network-interfaces/{id}`. Pre-boot; the TAP must already exist. */
  putNetworkInterface(iface: NetworkInterface): Promise<void> {
    assertResourceId('network interface', iface.iface_id);
    return this.write('PUT', `/network-interfaces/${iface.iface_id}`, iface);
  }

  /** `PATCH /network-interfaces/{id}`: rate limiters. Post-boot. */
  patchNetworkInterface(iface: PartialNetworkInterface): Promise<void> {
    assertResourceId('network interface', iface.iface_id);
    return this.write('PATCH', `/network-interfaces/${iface.iface_id}`, iface);
  }

  /** `PUT /vsock`. Pre-boot; Firecracker binds `uds_path` (which must not exist yet). */
  putVsock(vsock: Vsock): Promise<void> {
    return this.write('PUT', '/vsock', vsock);
  }

  /** `PUT /entropy`: a virtio-rng device. Pre-boot. */
  putEntropy(device: EntropyDevice = {}): Promise<void> {
    return this.write('PUT', '/entropy', device);
  }

  /** `PUT /serial`: where the guest console goes, rate-limited. Pre-boot. */
  putSerial(config: SerialConfig): Promise<void> {
    return this.write('PUT', '/serial', config);
  }

  /** `PUT /actions InstanceStart`. Pre-boot, once; 204 means the vCPUs run, not that the guest is up. */
  startInstance(): Promise<void> {
    return this.action({ action_type: 'InstanceStart' });
  }

  /** `PUT /actions SendCtrlAltDel`: asks the guest to shut down (x86 with an i8042 keyboard). Post-boot. */
  sendCtrlAltDel(): Promise<void> {
    return this.action({ action_type: 'SendCtrlAltDel' });
  }

  /** `PUT /actions FlushMetrics`. Post-boot. */
  flushMetrics(): Promise<void> {
    return this.action({ action_type: 'FlushMetrics' });
  }

  /** `PATCH /vm Paused`. Post-boot; repeating it is harmless. */
  pause(): Promise<void> {
    return this.write('PATCH', '/vm', { state: 'Paused' });
  }

  /** `PATCH /vm Resumed`. Post-boot (also after a snapshot load); repeating it is harmless. */
  resume(): Promise<void> {
    return this.write('PATCH', '/vm', { state: 'Resumed' });
  }

  /** `PUT /snapshot/create`. Post-boot, while Paused. */
  createSnapshot(params: SnapshotCreateParams): Promise<void> {
    return this.write('PUT', '/snapshot/create', params, SNAPSHOT_TIMEOUT_MS);
  }

  /** `PUT /snapshot/load`. In a fresh process where only the logger and metrics are set. */
  loadSnapshot(params: SnapshotLoadParams): Promise<void> {
    if ((params.mem_backend === undefined) === (params.mem_file_path === undefined)) {
      throw new AetherError(
        'ERR_VALIDATION',
        'snapshot load needs exactly one of mem_backend and mem_file_path',
      );
    }
    return this.write('PUT', '/snapshot/load', params, SNAPSHOT_TIMEOUT_MS);
  }

  private action(action: InstanceActionInfo): Promise<void> {
    return this.write('PUT', '/actions', action);
  }

  private async get<T>(path: string, timeoutMs?: number): Promise<T> {
    const answer = await this.transport.send('GET', path, undefined, timeoutMs);
    if (typeof answer.body !== 'object' || answer.body === null) {
      throw new AetherError('ERR_DRIVER_FAILED', `Firecracker API GET ${path}: expected a JSON object`);
    }
    return answer.body as T;
  }

  private async write(method: Exclude<ApiMethod, 'GET'>, path: string, body: object, timeoutMs?: number) {
    await this.transport.send(method, path, body, timeoutMs);
  }
}
