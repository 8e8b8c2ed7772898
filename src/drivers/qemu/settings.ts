/** Settings of the `qemu` driver: given by the caller (parsed config), never read from the env. */
import { isAbsolute } from 'node:path';
import { AetherError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

export type Accel = 'kvm' | 'tcg';

export type QemuNetworkMode = 'user' | 'tap';

/** The three files a microVM boots from (`aether image build` makes them). */
export interface GuestImage {
  /** Short id of the image, shown on VMs. */
  id: string;
  kernel: string;
  initrd: string;
  /** ext4 root file system; every VM gets a copy-on-write overlay of it. */
  rootfs: string;
}

export interface QemuDriverSettings {
  /** Directory owning every VM: `<stateDir>/v/<id>/`. Absolute, and short (socket paths ≤ 107 bytes). */
  stateDir: string;
  /** The guest image, resolved lazily: it may be built after the driver is made. */
  image: () => Promise<GuestImage>;
  /** `auto` (default): KVM when /dev/kvm boots our guests, else software emulation (TCG). */
  accel?: 'auto' | Accel;
  /**
   * Network of VMs created with `network: true`: `user` (default; QEMU's own NAT, no root) or
   * `tap` (the host bridge through the TAP the worker leases, given in `spec.networkAttachment`).
   */
  network?: QemuNetworkMode;
  qemuBinary?: string;
  qemuImgBinary?: string;
  /** From QEMU's start to the agent answering. Default 60 000 ms under KVM... and TCG alike (TCG is slow). */
  bootTimeoutMs?: number;
  /** `stop()` grace before SIGKILL when the caller gives none. Default 5 000 ms. */
  stopGraceMs?: number;
  /**
   * VMs kept restored and running, so a create of this shape (no network, the default image)
   * takes no boot. Default size 0 (off), shape 1 vCPU and 256 MiB (the API's defaults).
   */
  warmPool?: { size?: number; vcpus?: number; memoryMiB?: number };
}

export interface QemuDriverDeps {
  logger?: Logger;
}

export interface ResolvedQemuSettings {
  stateDir: string;
  image: () => Promise<GuestImage>;
  accel: 'auto' | Accel;
  network: QemuNetworkMode;
  qemuBinary: string;
  qemuImgBinary: string;
  bootTimeoutMs: number;
  stopGraceMs: number;
  warmPool: { size: number; vcpus: number; memoryMiB: number };
}

function fail(message: string): never {
  throw new AetherError('ERR_CONFIG', `qemu driver: ${message}`);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer`);
  return n;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 0) fail(`${name} must be a whole number ≥ 0`);
  return n;
}

export function resolveQemuSettings(settings: QemuDriverSettings): ResolvedQemuSettings {
  if (!isAbsolute(settings.stateDir)) fail('stateDir must be an absolute path');
  const accel = settings.accel ?? 'auto';
  if (!['auto', 'kvm', 'tcg'].includes(accel)) fail(`accel must be auto, kvm or tcg, got ${String(accel)}`);
  const network = settings.network ?? 'user';
  if (network !== 'user' && network !== 'tap') fail(`network must be user or tap, got ${String(network)}`);
  return Object.freeze({
    stateDir: settings.stateDir,
    image: settings.image,
    accel,
    network,
    qemuBinary: settings.qemuBinary ?? 'qemu-system-x86_64',
    qemuImgBinary: settings.qemuImgBinary ?? 'qemu-img',
    bootTimeoutMs: positive('bootTimeoutMs', settings.bootTimeoutMs, 60_000),
    stopGraceMs: positive('stopGraceMs', settings.stopGraceMs, 5_000),
    warmPool: Object.freeze({
      size: nonNegative('warmPool.size', settings.warmPool?.size, 0),
      vcpus: positive('warmPool.vcpus', settings.warmPool?.vcpus, 1),
      memoryMiB: positive('warmPool.memoryMiB', settings.warmPool?.memoryMiB, 256),
    }),
  });
}

/** What the host sees of QEMU: only these variables (nothing of our env leaks into its children). */
export const QEMU_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
  LANG: 'C.UTF-8',
});
