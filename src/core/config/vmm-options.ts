import { z } from 'zod';
import { isToolName, parseDefaultTools, TOOL_NAMES } from '../tool-catalog.js';
import { MAX_VM_LIFETIME_SECONDS, VM_EXPIRY_ACTIONS } from '../vm-lifetime.js';
import { defineOptions, positiveInt } from './option.js';

const MiB = 1024 * 1024;

/** Seconds of a VM lifetime or idle timeout; 0 = none. */
const lifetimeSeconds = z.coerce.number().int().min(0).max(MAX_VM_LIFETIME_SECONDS);

/**
 * What VMs run on and what they get: drivers, guest images, tools, task limits (section `vmm`).
 * `driverNames` are the drivers of this build, from the runtime's list of driver modules.
 */
export function vmmOptions(driverNames: readonly [string, ...string[]]) {
  return defineOptions({
    driver: {
      env: 'AETHER_DRIVER',
      file: 'vmm.driver',
      default: 'process',
      doc: 'Default VM driver',
      schema: z.enum(driverNames),
    },
    drivers: {
      env: 'AETHER_DRIVERS',
      file: 'vmm.drivers',
      default: '',
      doc: 'Drivers this node runs, comma-separated; empty = the default driver, plus `process`',
      schema: z
        .string()
        .refine(
          (v) => v.split(',').every((name) => name.trim() === '' || driverNames.includes(name.trim())),
          `must list drivers among ${driverNames.join(', ')}`,
        ),
    },
    imageDir: {
      env: 'AETHER_IMAGE_DIR',
      file: 'vmm.image_dir',
      default: '',
      doc: 'Data dir whose guest images VMs boot (`aether image build --data-dir`); empty = the data dir',
      schema: z.string(),
    },
    defaultTools: {
      env: 'AETHER_DEFAULT_TOOLS',
      file: 'vmm.default_tools',
      default: 'git,node,bun,claude',
      doc: 'Tools every VM gets where it can, comma-separated (node is Node.js 20); `none` for none. A VM without network that lacks one is created anyway and lists it as missing',
      schema: z.string().superRefine((v, ctx) => {
        const unknown = parseDefaultTools(v).filter((name) => !isToolName(name));
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `must list known tools, comma-separated; unknown: ${unknown.join(', ')} (known: ${TOOL_NAMES.join(', ')})`,
          });
        }
      }),
    },
    toolInstallTimeoutMs: {
      env: 'AETHER_TOOL_INSTALL_TIMEOUT_MS',
      file: 'vmm.tool_install_timeout_ms',
      default: 20 * 60_000,
      doc: "Deadline for installing a VM's tools when it is created, the whole set together; added to the vm:create limit",
      schema: positiveInt,
    },
    toolCaFile: {
      env: 'AETHER_TOOL_CA_FILE',
      file: 'vmm.tool_ca_file',
      default: '',
      doc: 'PEM file of CA certificates that installers in VMs (npm) trust besides their own, for a network that intercepts TLS; empty = none',
      schema: z.string(),
    },
    createTimeoutMs: {
      env: 'AETHER_CREATE_TIMEOUT_MS',
      file: 'vmm.create_timeout_ms',
      default: 5 * 60_000,
      doc: 'Default vm:create limit',
      schema: positiveInt,
    },
    executeTimeoutMs: {
      env: 'AETHER_EXECUTE_TIMEOUT_MS',
      file: 'vmm.execute_timeout_ms',
      default: 10 * 60_000,
      doc: 'Default vm:execute limit',
      schema: positiveInt,
    },
    deleteTimeoutMs: {
      env: 'AETHER_DELETE_TIMEOUT_MS',
      file: 'vmm.delete_timeout_ms',
      default: 2 * 60_000,
      doc: 'Default vm:delete limit',
      schema: positiveInt,
    },
    defaultTtlSeconds: {
      env: 'AETHER_DEFAULT_TTL_SECONDS',
      file: 'vmm.default_ttl_seconds',
      default: 0,
      doc: 'Lifetime of a VM whose create asks for none, in seconds from its create; 0 = no limit',
      schema: lifetimeSeconds,
    },
    defaultIdleTimeoutSeconds: {
      env: 'AETHER_DEFAULT_IDLE_TIMEOUT_SECONDS',
      file: 'vmm.default_idle_timeout_seconds',
      default: 0,
      doc: 'Idle timeout of a VM whose create asks for none, in seconds without a command running; 0 = none',
      schema: lifetimeSeconds,
    },
    defaultOnExpiry: {
      env: 'AETHER_DEFAULT_ON_EXPIRY',
      file: 'vmm.default_on_expiry',
      default: 'stop',
      doc: 'What a VM past its lifetime or idle timeout becomes when its create does not say: `stop` (files kept), `delete`, or `pause` (hibernated on qemu and firecracker, frozen elsewhere)',
      schema: z.enum(VM_EXPIRY_ACTIONS),
    },
    lifetimeCheckIntervalMs: {
      env: 'AETHER_LIFETIME_CHECK_INTERVAL_MS',
      file: 'vmm.lifetime_check_interval_ms',
      default: 1_000,
      doc: 'How often every node looks for VMs past their lifetime or idle timeout (one indexed query)',
      schema: positiveInt,
    },
    outputLimitBytes: {
      env: 'AETHER_OUTPUT_LIMIT_BYTES',
      file: 'vmm.output_limit_bytes',
      default: MiB,
      doc: 'Stored output per stream per execution',
      schema: positiveInt,
    },
  });
}
