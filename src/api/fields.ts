import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../core/errors.js';
import { DRIVER_NAME_PATTERN } from '../core/vm.js';

/**
 * Small pieces the wire records are made of. Response schemas stay transform-free: a transform
 * renders as `{}` in the OpenAPI document.
 */

/** A point in time as the API writes it: `Date.toISOString()`, always UTC. */
export const timestamp = z.string().meta({ format: 'date-time', description: 'ISO 8601 time, UTC' });

export const nullableTimestamp = timestamp.nullable();

export const recordId = z.string().meta({ format: 'uuid' });

/** The component id of a driver name; the gateway's OpenAPI document lists the build's drivers there. */
export const DRIVER_NAME_SCHEMA_ID = 'DriverName';

/**
 * A driver's name. Its shape is checked here; whether the build has the driver is checked by the
 * service (ERR_VALIDATION naming the drivers), so a new driver changes no schema.
 */
export const driverName = z
  .string()
  .regex(DRIVER_NAME_PATTERN, 'must be a driver name such as process or docker')
  .meta({ id: DRIVER_NAME_SCHEMA_ID, description: 'A VM driver' });

const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** An error as data: what a failed task or execution keeps, and what an error answer carries. */
export const apiError = z
  .object({
    code: z.enum(ERROR_CODE_NAMES).describe('Stable error code; the full list is in src/core/errors.ts'),
    message: z.string(),
    retryable: z.boolean().describe('Whether the same request may succeed if sent again'),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'ApiError' });

/** Every error answer of the API, whatever the status. */
export const errorBody = z
  .object({ error: apiError })
  .meta({ id: 'ErrorBody', description: 'An error: its stable code, a message and whether to retry' });

/**
 * A query parameter of comma-separated choices (`?status=ready,failed`), each one of `values`;
 * an unknown one, or none at all, is refused naming the choices. A request schema: it transforms
 * to the distinct values, in their order.
 */
export function commaSeparatedOf<const T extends readonly string[]>(
  values: T,
  what: string,
  description: string,
) {
  return z
    .string()
    .max(200)
    .optional()
    .describe(description)
    .transform((raw, ctx) => (raw === undefined ? undefined : choicesIn([raw], values, what, ctx)));
}

/**
 * The distinct choices named in `items` (each comma-separated), in their order; an unknown one,
 * or none at all, is an issue naming the choices. Shared by every parameter that lists choices.
 */
export function choicesIn<const T extends readonly string[]>(
  items: readonly string[],
  values: T,
  what: string,
  ctx: z.RefinementCtx,
): T[number][] {
  const parts = items
    .flatMap((item) => item.split(','))
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const unknown = parts.filter((part) => !(values as readonly string[]).includes(part));
  if (unknown.length > 0 || parts.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown ${what} ${JSON.stringify(unknown.join(',') || items.join(','))}; use ${values.join(', ')}`,
    });
    return z.NEVER;
  }
  return [...new Set(parts)] as T[number][];
}
