/**
 * A driver as a plug-in: one module per driver declares its name, the VM features it offers,
 * its options and how to open it. The runtime loops over the list of modules
 * (src/drivers/modules.ts) to build the configuration table, open the drivers a worker runs,
 * run `aether doctor` and write docs/configuration.md; the layers below the runtime are handed
 * the names and features as data (`DriverInfo`). docs/extending.md shows how to add one.
 */
import type { ConfigOptionTable, ConfigValues } from './config/option.js';
import type { VmDriver } from './driver.js';
import type { Logger } from './logger.js';
import type { DriverInfo, DriverName, VmFeature } from './vm.js';

/** The boot files of a microVM guest image (`aether image build --vm` makes them). */
export interface GuestBootFiles {
  /** Short id of the image, shown on VMs. */
  id: string;
  kernel: string;
  initrd: string;
  /** ext4 root file system. */
  rootfs: string;
}

/** What the runtime gives a driver module: its own options, and the node's facts it may need. */
export interface DriverContext<O extends ConfigOptionTable = ConfigOptionTable> {
  /** The module's own options, checked. */
  options: ConfigValues<O>;
  /** The node's data dir (absolute); a driver keeps its files under `<dataDir>/<name>`. */
  dataDir: string;
  workerId: string;
  /** The guest agent bundle (one file) a driver puts into each VM. */
  agentPath: string;
  /**
   * The guest image whose short id is `id`, else the newest one, from the node's image dir;
   * rejects with ERR_IMAGE_NOT_FOUND saying how to build one. Looked up when called: an image
   * may be built after the driver opens.
   */
  findVmImage(id?: string): Promise<GuestBootFiles>;
  logger: Logger;
}

/** A driver a module opened, with what the worker and the start-up banner need to know. */
export interface OpenedDriver {
  driver: VmDriver;
  /** One line for the start-up banner: what the driver found on this host. */
  line: string;
  /** A group through which its VMMs open TAP devices (jailed VMMs run as per-VM uids in it). */
  tapGroup?: number;
}

/** One item a host check looked at (`aether doctor` prints one line each). */
export interface HostCheck {
  item: string;
  title: string;
  ok: boolean;
  /** A failing required item stops a worker; an optional one is only reported. */
  required: boolean;
  /** What was found. */
  detail: string;
  /** What to do when it is not ok. */
  fix: string | null;
}

export interface HostCheckReport {
  /** Every required item passed. */
  ok: boolean;
  checks: HostCheck[];
}

/**
 * One driver. Rules every module keeps:
 * - Importing it is cheap: the driver's code and its clients (dockerode, QMP, the Firecracker
 *   API) load inside `open` and `hostCheck.run`, never at the top of the module.
 * - Its options are its own (names unique across the node, env vars and file keys too), in a
 *   section named after it (the process driver's one option predates that: `vmm.warm_pool_size`),
 *   each documented in its definition.
 * - `open` fails with an AetherError naming what to fix (`details.option` names the option)
 *   and leaves nothing open behind it.
 */
export interface DriverModule<O extends ConfigOptionTable = ConfigOptionTable> {
  readonly name: DriverName;
  /** One sentence: what isolates its VMs. For docs/configuration.md. */
  readonly summary: string;
  readonly features: readonly VmFeature[];
  /** Why it lacks a feature, for the error a request for it gets. */
  readonly lacks?: Partial<Record<VmFeature, string>>;
  readonly options: O;
  /** Opens the driver on a worker, checking the host as far as start-up should. */
  open(context: DriverContext<O>): Promise<OpenedDriver>;
  /**
   * What this host lacks for the driver, item by item, for `aether doctor`; absent when the
   * driver has nothing to check ahead of `open`.
   */
  readonly hostCheck?: {
    /** What the check is for, in doctor's verdict: `Firecracker VMs`. */
    readonly subject: string;
    run(context: DriverContext<O>): Promise<HostCheckReport>;
  };
}

/** Declares a driver module, keeping its options' types for `open`. */
export function defineDriver<const O extends ConfigOptionTable>(module: DriverModule<O>): DriverModule<O> {
  return module;
}

/** The data the layers below the runtime get of a module. */
export function driverInfo(module: DriverModule): DriverInfo {
  return { name: module.name, features: module.features, ...(module.lacks ? { lacks: module.lacks } : {}) };
}
