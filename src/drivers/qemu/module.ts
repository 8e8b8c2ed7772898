/**
 * The qemu driver as a plug-in (see core/driver-module.ts): a microVM per VM under KVM or
 * software emulation. Its code loads when a worker opens it.
 */
import path from 'node:path';
import { z } from 'zod';
import { defineOptions } from '../../core/config/option.js';
import { defineDriver } from '../../core/driver-module.js';

const QEMU_OPTIONS = defineOptions({
  qemuAccel: {
    env: 'AETHER_QEMU_ACCEL',
    file: 'qemu.accel',
    default: 'auto',
    doc: 'Accelerator of qemu VMs: auto (KVM when it boots our guests, else TCG), kvm or tcg',
    schema: z.enum(['auto', 'kvm', 'tcg']),
  },
  qemuImage: {
    env: 'AETHER_QEMU_IMAGE',
    file: 'qemu.image',
    default: '',
    doc: 'Short id of the guest image qemu VMs boot; empty = the newest one built with --vm',
    schema: z
      .string()
      .regex(/^([0-9a-f]{12}|)$/, 'must be a 12-hex-digit image id (aether image ls) or empty'),
  },
  qemuWarmPoolSize: {
    env: 'AETHER_QEMU_WARM_POOL_SIZE',
    file: 'qemu.warm_pool_size',
    default: 0,
    doc: 'qemu VMs kept restored from a template snapshot and running, so a create of 1 vCPU, 256 MiB, no network and the default image takes no boot (each holds its memory)',
    schema: z.coerce.number().int().min(0).max(64),
  },
  qemuNetwork: {
    env: 'AETHER_QEMU_NETWORK',
    file: 'qemu.network',
    default: 'user',
    doc: 'Network of qemu VMs created with `network: true`: user (QEMU user-mode NAT, no root) or tap (the host bridge, with egress rules)',
    schema: z.enum(['user', 'tap']),
  },
});

export const qemuDriverModule = defineDriver({
  name: 'qemu',
  summary:
    'Each VM is a QEMU microVM with its own kernel, under KVM where the host boots our guests with it, else software emulation',
  features: ['image', 'network', 'snapshot', 'hibernate'],
  options: QEMU_OPTIONS,
  /**
   * Its image is looked up when a VM is created (it may be built after the node starts); the
   * start-up line says what is there now and which accelerator VMs will get.
   */
  async open({ options, dataDir, findVmImage, logger }) {
    const { createQemuDriver } = await import('./qemu-driver.js');
    const stateDir = path.resolve(dataDir, 'qemu');
    const driver = createQemuDriver(
      {
        stateDir,
        image: () => findVmImage(options.qemuImage || undefined),
        accel: options.qemuAccel,
        network: options.qemuNetwork,
        warmPool: { size: options.qemuWarmPoolSize },
      },
      { logger },
    );
    if (options.qemuWarmPoolSize > 0) {
      void driver.warmUp().catch((error: unknown) => {
        logger.warn({ err: error }, 'qemu warm pool: not filled yet (it keeps trying)');
      });
    }
    const health = await driver.health();
    const { accel, reason } = await driver.accelerator();
    const how = accel === 'kvm' ? 'KVM' : `software emulation (TCG)${reason ? `: ${reason}` : ''}`;
    return {
      driver,
      line: `qemu driver: microVMs under ${how}; VM files in ${stateDir}; ${options.qemuWarmPoolSize} VMs kept warm; ${health.ok ? health.message : `not ready: ${health.message}`}`,
    };
  },
});
