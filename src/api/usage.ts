import { z } from 'zod';
import { timestamp } from './fields.js';

/** What a VM uses now, as its driver reads it; each figure is null where the driver cannot tell. */
export const vmUsageSchema = z
  .object({
    vm_id: z.string(),
    cpu_seconds: z
      .number()
      .nullable()
      .describe('CPU time its processes used since it started (user + system), in seconds'),
    memory_bytes: z.number().int().nullable().describe('Memory it holds now, page cache included'),
    memory_peak_bytes: z.number().int().nullable().describe('The most memory it held at once'),
    disk_bytes: z
      .number()
      .int()
      .nullable()
      .describe('Bytes used in its home or disk, where that is a volume of its own'),
    processes: z.number().int().nullable().describe('Processes in it now'),
    sampled_at: timestamp.describe("When the figures were read, at its worker's clock"),
  })
  .meta({ id: 'VmUsage', description: "A sample of a VM's resource use, not a bill" });
