/**
 * Test support: the request bodies Firecracker's API accepts, as data the fake server checks
 * every request against, the way Firecracker's serde structs do: required fields present, each
 * field of its type, and any unknown field refused (`deny_unknown_fields`). Written from the same
 * endpoint table as `api-types.ts` (v1.16), independently of the client, so a client that drifts
 * from the documented bodies fails its tests.
 */

export type FieldType =
  | 'string'
  | 'boolean'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | { enum: readonly string[] }
  | { object: BodySchema }
  | { array: FieldType };

export interface BodySchema {
  name: string;
  fields: Record<string, FieldType>;
  required: readonly string[];
}

const MAX: Record<'u8' | 'u16' | 'u32' | 'u64', number> = {
  u8: 255,
  u16: 65_535,
  u32: 4_294_967_295,
  u64: Number.MAX_SAFE_INTEGER,
};

const tokenBucket: BodySchema = {
  name: 'TokenBucket',
  fields: { size: 'u64', refill_time: 'u64', one_time_burst: 'u64' },
  required: ['size', 'refill_time'],
};

const rateLimiter: BodySchema = {
  name: 'RateLimiter',
  fields: { bandwidth: { object: tokenBucket }, ops: { object: tokenBucket } },
  required: [],
};

export const SCHEMAS = {
  logger: {
    name: 'Logger',
    fields: {
      log_path: 'string',
      level: { enum: ['Error', 'Warning', 'Info', 'Debug', 'Trace', 'Off'] },
      show_level: 'boolean',
      show_log_origin: 'boolean',
      module: 'string',
    },
    required: [],
  },
  metrics: { name: 'Metrics', fields: { metrics_path: 'string' }, required: ['metrics_path'] },
  machineConfig: {
    name: 'MachineConfiguration',
    fields: {
      vcpu_count: 'u8',
      mem_size_mib: 'u64',
      smt: 'boolean',
      track_dirty_pages: 'boolean',
      huge_pages: { enum: ['None', '2M'] },
      cpu_template: { enum: ['C3', 'T2', 'T2S', 'T2CL', 'T2A', 'V1N1', 'None'] },
    },
    required: ['vcpu_count', 'mem_size_mib'],
  },
  machineConfigPatch: {
    name: 'MachineConfigurationUpdate',
    fields: {
      vcpu_count: 'u8',
      mem_size_mib: 'u64',
      smt: 'boolean',
      track_dirty_pages: 'boolean',
      huge_pages: { enum: ['None', '2M'] },
    },
    required: [],
  },
  bootSource: {
    name: 'BootSource',
    fields: { kernel_image_path: 'string', boot_args: 'string', initrd_path: 'string' },
    required: ['kernel_image_path'],
  },
  drive: {
    name: 'Drive',
    fields: {
      drive_id: 'string',
      is_root_device: 'boolean',
      path_on_host: 'string',
      is_read_only: 'boolean',
      partuuid: 'string',
      cache_type: { enum: ['Unsafe', 'Writeback'] },
      io_engine: { enum: ['Sync', 'Async'] },
      rate_limiter: { object: rateLimiter },
      socket: 'string',
    },
    required: ['drive_id', 'is_root_device'],
  },
  drivePatch: {
    name: 'PartialDrive',
    fields: { drive_id: 'string', path_on_host: 'string', rate_limiter: { object: rateLimiter } },
    required: ['drive_id'],
  },
  networkInterface: {
    name: 'NetworkInterface',
    fields: {
      iface_id: 'string',
      host_dev_name: 'string',
      guest_mac: 'string',
      mtu: 'u16',
      rx_rate_limiter: { object: rateLimiter },
      tx_rate_limiter: { object: rateLimiter },
    },
    required: ['iface_id', 'host_dev_name'],
  },
  networkInterfacePatch: {
    name: 'PartialNetworkInterface',
    fields: {
      iface_id: 'string',
      rx_rate_limiter: { object: rateLimiter },
      tx_rate_limiter: { object: rateLimiter },
    },
    required: ['iface_id'],
  },
  vsock: {
    name: 'Vsock',
    fields: { guest_cid: 'u32', uds_path: 'string', vsock_id: 'string' },
    required: ['guest_cid', 'uds_path'],
  },
  entropy: { name: 'EntropyDevice', fields: { rate_limiter: { object: rateLimiter } }, required: [] },
  serial: {
    name: 'SerialConfig',
    fields: { serial_out_path: 'string', rate_limiter: { object: tokenBucket } },
    required: [],
  },
  action: {
    name: 'InstanceActionInfo',
    fields: { action_type: { enum: ['InstanceStart', 'SendCtrlAltDel', 'FlushMetrics'] } },
    required: ['action_type'],
  },
  vm: { name: 'Vm', fields: { state: { enum: ['Paused', 'Resumed'] } }, required: ['state'] },
  snapshotCreate: {
    name: 'SnapshotCreateParams',
    fields: { snapshot_path: 'string', mem_file_path: 'string', snapshot_type: { enum: ['Full', 'Diff'] } },
    required: ['snapshot_path', 'mem_file_path'],
  },
  snapshotLoad: {
    name: 'SnapshotLoadParams',
    fields: {
      snapshot_path: 'string',
      mem_backend: {
        object: {
          name: 'MemoryBackend',
          fields: { backend_type: { enum: ['File', 'Uffd'] }, backend_path: 'string' },
          required: ['backend_type', 'backend_path'],
        },
      },
      mem_file_path: 'string',
      enable_diff_snapshots: 'boolean',
      track_dirty_pages: 'boolean',
      resume_vm: 'boolean',
      network_overrides: {
        array: {
          object: {
            name: 'NetworkOverride',
            fields: { iface_id: 'string', host_dev_name: 'string' },
            required: ['iface_id', 'host_dev_name'],
          },
        },
      },
      vsock_override: {
        object: { name: 'VsockOverride', fields: { uds_path: 'string' }, required: ['uds_path'] },
      },
      clock_realtime: 'boolean',
    },
    required: ['snapshot_path'],
  },
} as const satisfies Record<string, BodySchema>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number')
    return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  return `${typeof value} \`${String(value)}\``;
}

function typeName(type: FieldType): string {
  if (typeof type === 'string')
    return type === 'boolean' ? 'a boolean' : type === 'string' ? 'a string' : type;
  if ('enum' in type) return `one of ${type.enum.map((v) => `\`${v}\``).join(', ')}`;
  if ('object' in type) return `struct ${type.object.name}`;
  return 'a sequence';
}

function checkValue(value: unknown, type: FieldType): string | null {
  if (typeof type === 'string') {
    if (type === 'string')
      return typeof value === 'string' ? null : `invalid type: ${describe(value)}, expected a string`;
    if (type === 'boolean')
      return typeof value === 'boolean' ? null : `invalid type: ${describe(value)}, expected a boolean`;
    if (typeof value !== 'number' || !Number.isInteger(value))
      return `invalid type: ${describe(value)}, expected ${type}`;
    if (value < 0 || value > MAX[type]) return `invalid value: integer \`${value}\`, expected ${type}`;
    return null;
  }
  if ('enum' in type) {
    if (typeof value !== 'string') return `invalid type: ${describe(value)}, expected ${typeName(type)}`;
    return type.enum.includes(value) ? null : `unknown variant \`${value}\`, expected ${typeName(type)}`;
  }
  if ('object' in type) return checkBody(value, type.object);
  if (!Array.isArray(value)) return `invalid type: ${describe(value)}, expected a sequence`;
  for (const item of value) {
    const problem = checkValue(item, type.array);
    if (problem) return problem;
  }
  return null;
}

/** The serde-style complaint about `body`, or null when it fits `schema`. */
export function checkBody(body: unknown, schema: BodySchema): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return `invalid type: ${describe(body)}, expected struct ${schema.name}`;
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(schema.fields, key)) {
      const expected = Object.keys(schema.fields)
        .map((f) => `\`${f}\``)
        .join(', ');
      return `unknown field \`${key}\`, expected one of ${expected}`;
    }
  }
  for (const key of schema.required) {
    if (record[key] === undefined) return `missing field \`${key}\``;
  }
  for (const [key, value] of Object.entries(record)) {
    // serde reads a JSON null in an optional field as "not given".
    if (value === null && !schema.required.includes(key)) continue;
    const problem = checkValue(value, schema.fields[key]!);
    if (problem) return problem;
  }
  return null;
}
