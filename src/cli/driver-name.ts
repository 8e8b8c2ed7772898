import { AetherError } from '../core/errors.js';
import { DRIVER_NAME_PATTERN, type DriverName } from '../core/vm.js';

/**
 * A `--driver` (or `-driver`) value, its shape checked before any request. Which drivers there
 * are is the gateway's to say: an unknown one is refused there, naming the drivers it has.
 */
export function driverName(value: string): DriverName {
  if (DRIVER_NAME_PATTERN.test(value)) return value;
  throw new AetherError(
    'ERR_VALIDATION',
    `"${value}" is not a driver name: lowercase letters, digits and -, starting with a letter`,
  );
}
