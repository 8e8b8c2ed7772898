/**
 * Inputs several tools share. Schemas bound sizes and ranges; rules on content (which names,
 * which characters) are the gateway's, which answers ERR_VALIDATION naming the field.
 */
import { z } from 'zod';

export const vmReference = z
  .string()
  .min(1)
  .max(128)
  .describe('The VM: its id or its name, as create_vm or list_vms gave them');

export const guestPath = z
  .string()
  .min(1)
  .max(4096)
  .describe("A path inside the VM: absolute, or relative to the VM's home directory");

/** Seconds, or a duration such as `90s`, `30m`, `2h`, `1d`, `1h30m`. */
export const durationInput = (maxSeconds: number) =>
  z.union([z.number().int().min(1).max(maxSeconds), z.string().min(1).max(32)]);
