/**
 * The pre-boot configuration of one VM, as the ordered API calls Firecracker's SDK makes:
 * logger, metrics, machine config, boot source, drives, network interfaces, vsock, then the
 * entropy device and the serial console, then InstanceStart. Pure: paths (as the VMM sees them,
 * i.e. inside the jail when jailed) and the VM's shape in, request bodies out.
 */
import { AetherError } from '../../core/errors.js';
import type { FirecrackerApi } from './api-client.js';
import type {
  BootSource,
  Drive,
  EntropyDevice,
  LoggerConfig,
  MachineConfig,
  MetricsConfig,
  NetworkInterface,
  SerialConfig,
  Vsock,
} from './api-types.js';
import { firecrackerBootArgs, type NetworkAttachment } from './kernel-cmdline.js';

/** Firecracker's limit on `vcpu_count`. */
export const MAX_FIRECRACKER_VCPUS = 32;
/** The guest's CID. Hybrid vsock has no host-wide CID space: every VM may use the same one. */
const GUEST_CID = 3;
/**
 * The console is guest-controlled: a burst for the boot messages, then 4 KiB/s, so a guest that
 * floods its console cannot fill the host's disk quickly.
 */
const CONSOLE_LIMIT = { size: 4_096, refill_time: 1_000, one_time_burst: 1_048_576 } as const;

/** Where the VMM finds and puts its files (paths inside the jail when jailed). */
export interface VmmPaths {
  kernel: string;
  rootfs: string;
  vsock: string;
  console: string;
  log: string;
  metrics: string;
}

export interface BootPlanInput {
  vcpus: number;
  memoryMiB: number;
  paths: VmmPaths;
  agentPort: number;
  network: NetworkAttachment | null;
}

export interface BootPlan {
  logger: LoggerConfig;
  metrics: MetricsConfig;
  machine: MachineConfig;
  bootSource: BootSource;
  drives: Drive[];
  interfaces: NetworkInterface[];
  vsock: Vsock;
  entropy: EntropyDevice;
  serial: SerialConfig;
}

export function bootPlan(input: BootPlanInput): BootPlan {
  if (!Number.isInteger(input.vcpus) || input.vcpus < 1 || input.vcpus > MAX_FIRECRACKER_VCPUS) {
    throw new AetherError(
      'ERR_VALIDATION',
      `a firecracker VM has 1 to ${MAX_FIRECRACKER_VCPUS} vCPUs, not ${input.vcpus}`,
      { details: { field: 'vcpus' } },
    );
  }
  const p = input.paths;
  return {
    logger: { log_path: p.log, level: 'Warning', show_level: true, show_log_origin: false },
    metrics: { metrics_path: p.metrics },
    machine: { vcpu_count: input.vcpus, mem_size_mib: input.memoryMiB, smt: false },
    bootSource: {
      kernel_image_path: p.kernel,
      boot_args: firecrackerBootArgs({ agentPort: input.agentPort, network: input.network }),
    },
    drives: [
      {
        drive_id: 'rootfs',
        path_on_host: p.rootfs,
        is_root_device: true,
        is_read_only: false,
        // Honour the guest's flushes: the disk is the VM's files, kept across stop and start.
        cache_type: 'Writeback',
        io_engine: 'Sync',
      },
    ],
    interfaces: input.network
      ? [{ iface_id: 'eth0', host_dev_name: input.network.tapName, guest_mac: input.network.guestMac }]
      : [],
    vsock: { guest_cid: GUEST_CID, uds_path: p.vsock },
    entropy: {},
    serial: { serial_out_path: p.console, rate_limiter: { ...CONSOLE_LIMIT } },
  };
}

/** Sends the plan in order; the first refusal stops it (the process is then thrown away). */
export async function applyBootPlan(api: FirecrackerApi, plan: BootPlan): Promise<void> {
  await api.putLogger(plan.logger);
  await api.putMetrics(plan.metrics);
  await api.putMachineConfig(plan.machine);
  await api.putBootSource(plan.bootSource);
  for (const drive of plan.drives) await api.putDrive(drive);
  for (const iface of plan.interfaces) await api.putNetworkInterface(iface);
  await api.putVsock(plan.vsock);
  await api.putEntropy(plan.entropy);
  await api.putSerial(plan.serial);
}
