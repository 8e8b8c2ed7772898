/**
 * Request and response bodies of Firecracker's HTTP API, written from the endpoint table of its
 * API definition (swagger `definitions`, v1.16). Field names are Firecracker's own (snake_case).
 * Every config struct on Firecracker's side refuses unknown fields with a 400, so these types
 * carry only fields v1.16 knows: no `emit_id`/`properties` on metrics, no `Transparent` huge pages.
 */

/** `{size, refill_time}`: `size` tokens (bytes or operations) refilled every `refill_time` ms. */
export interface TokenBucket {
  size: number;
  refill_time: number;
  /** Extra tokens spent once before the refill starts. */
  one_time_burst?: number;
}

export interface RateLimiter {
  /** Bytes. */
  bandwidth?: TokenBucket;
  /** Operations (requests, packets). */
  ops?: TokenBucket;
}

export type LogLevel = 'Error' | 'Warning' | 'Info' | 'Debug' | 'Trace' | 'Off';

/** `PUT /logger` (pre-boot, once). The file or FIFO must exist: Firecracker opens, never creates. */
export interface LoggerConfig {
  log_path?: string;
  level?: LogLevel;
  show_level?: boolean;
  show_log_origin?: boolean;
  module?: string;
}

/** `PUT /metrics` (pre-boot). JSON lines every 60 s and on FlushMetrics; the file must exist. */
export interface MetricsConfig {
  metrics_path: string;
}

/** `PUT /machine-config` (pre-boot; optional fields left out are reset to their defaults). */
export interface MachineConfig {
  /** 1..32. */
  vcpu_count: number;
  mem_size_mib: number;
  smt?: boolean;
  track_dirty_pages?: boolean;
  huge_pages?: 'None' | '2M';
}

/** `GET /machine-config`. */
export type MachineConfigInfo = MachineConfig & Record<string, unknown>;

/** `PUT /boot-source` (pre-boot). */
export interface BootSource {
  kernel_image_path: string;
  boot_args?: string;
  initrd_path?: string;
}

/** `PUT /drives/{drive_id}` (pre-boot). The id in the path equals `drive_id`. */
export interface Drive {
  drive_id: string;
  is_root_device: boolean;
  path_on_host?: string;
  is_read_only?: boolean;
  partuuid?: string;
  /** `Writeback` honours the guest's flushes; `Unsafe` (the default) ignores them. */
  cache_type?: 'Unsafe' | 'Writeback';
  io_engine?: 'Sync' | 'Async';
  rate_limiter?: RateLimiter;
  /** vhost-user backend socket instead of `path_on_host`. */
  socket?: string;
}

/** `PATCH /drives/{drive_id}` (post-boot): a new backing file or limiter. */
export interface PartialDrive {
  drive_id: string;
  path_on_host?: string;
  rate_limiter?: RateLimiter;
}

/** `PUT /network-interfaces/{iface_id}` (pre-boot). The TAP must exist and be openable. */
export interface NetworkInterface {
  iface_id: string;
  /** The host's TAP device name. */
  host_dev_name: string;
  guest_mac?: string;
  /** 68..65535. */
  mtu?: number;
  rx_rate_limiter?: RateLimiter;
  tx_rate_limiter?: RateLimiter;
}

/** `PATCH /network-interfaces/{iface_id}` (post-boot). */
export interface PartialNetworkInterface {
  iface_id: string;
  rx_rate_limiter?: RateLimiter;
  tx_rate_limiter?: RateLimiter;
}

/** `PUT /vsock` (pre-boot). Firecracker binds `uds_path` itself; a stale file makes that fail. */
export interface Vsock {
  /** ≥ 3 (0 and 1 are reserved, 2 is the host). */
  guest_cid: number;
  uds_path: string;
}

/** `PUT /entropy` (pre-boot): a virtio-rng device. */
export interface EntropyDevice {
  rate_limiter?: RateLimiter;
}

/** `PUT /serial` (pre-boot): where the guest's serial console goes, and how fast. */
export interface SerialConfig {
  serial_out_path?: string;
  rate_limiter?: TokenBucket;
}

/** `PUT /actions`. InstanceStart is pre-boot (once); the others are post-boot. */
export interface InstanceActionInfo {
  action_type: 'InstanceStart' | 'SendCtrlAltDel' | 'FlushMetrics';
}

/** `PUT /snapshot/create` (post-boot, while Paused). Existing files are overwritten. */
export interface SnapshotCreateParams {
  snapshot_path: string;
  mem_file_path: string;
  snapshot_type?: 'Full' | 'Diff';
}

export interface MemoryBackend {
  /** `File`: the memory file is mapped privately, pages load on demand. `Uffd`: a page-fault handler's socket. */
  backend_type: 'File' | 'Uffd';
  backend_path: string;
}

/**
 * `PUT /snapshot/load`, in a fresh Firecracker where only the logger and metrics were set.
 * Exactly one of `mem_backend` and (deprecated) `mem_file_path`.
 */
export interface SnapshotLoadParams {
  snapshot_path: string;
  mem_backend?: MemoryBackend;
  /** Deprecated in favour of `mem_backend`. */
  mem_file_path?: string;
  track_dirty_pages?: boolean;
  resume_vm?: boolean;
  network_overrides?: { iface_id: string; host_dev_name: string }[];
  vsock_override?: { uds_path: string };
  clock_realtime?: boolean;
}

/** `GET /`. */
export interface InstanceInfo {
  app_name: string;
  id: string;
  state: 'Not started' | 'Running' | 'Paused';
  vmm_version: string;
}

/** `GET /version`. */
export interface FirecrackerVersion {
  firecracker_version: string;
}
