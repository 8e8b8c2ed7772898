import { AetherError } from '../core/errors.js';
import { DRIVER_NAMES, type DriverName } from '../core/vm.js';

/** A `--driver` (or `-driver`) value, checked before any request so a typo names the choices. */
export function driverName(value: string): DriverName {
  if ((DRIVER_NAMES as readonly string[]).includes(value)) return value as DriverName;
  throw new AetherError('ERR_VALIDATION', `unknown driver "${value}"; use ${DRIVER_NAMES.join(', ')}`);
}
