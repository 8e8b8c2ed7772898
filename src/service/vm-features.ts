import { AetherError } from '../core/errors.js';
import { type DriverInfo, type DriverName, isImageReference, type VmFeature } from '../core/vm.js';
import type { CreateVmInput } from './inputs.js';

/** `a, b or c`. */
function joinOr(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** The drivers of `drivers` that offer `feature`, by name. */
function offering(drivers: readonly DriverInfo[], feature: VmFeature): string[] {
  return drivers.filter((driver) => driver.features.includes(feature)).map((driver) => driver.name);
}

/** The driver named `name` among the drivers of this build; ERR_VALIDATION naming them otherwise. */
export function knownDriver(drivers: readonly DriverInfo[], name: DriverName): DriverInfo {
  const driver = drivers.find((candidate) => candidate.name === name);
  if (driver) return driver;
  throw new AetherError(
    'ERR_VALIDATION',
    `driver ${JSON.stringify(name)} is not a driver of this build; use ${joinOr(drivers.map((d) => d.name))}`,
    { details: { field: 'driver' } },
  );
}

function unsupported(feature: VmFeature, driver: DriverInfo, drivers: readonly DriverInfo[]): AetherError {
  const why = driver.lacks?.[feature] ?? `the ${driver.name} driver does not support it`;
  const [first, ...others] = offering(drivers, feature);
  const needs =
    first === undefined
      ? 'needs a driver that supports it, and this build has none'
      : `needs the ${first} driver${others.length > 0 ? ` (or ${joinOr(others)})` : ''}`;
  return new AetherError('ERR_VALIDATION', `${feature} ${needs}; ${why}`, {
    details: { field: feature, driver: driver.name },
  });
}

/**
 * Checks a create request's driver, `image` and `network` against the driver that will run the
 * VM (the effective one: the request's, or the configured default), among `drivers` (those of
 * this build, as the runtime hands them down). Throws ERR_VALIDATION naming the field.
 */
export function checkVmFeatures(
  input: Pick<CreateVmInput, 'image' | 'network'>,
  driverName: DriverName,
  drivers: readonly DriverInfo[],
): void {
  const driver = knownDriver(drivers, driverName);
  if (input.image !== undefined) {
    if (!isImageReference(input.image)) {
      throw new AetherError(
        'ERR_VALIDATION',
        `image must be a Docker image reference such as aetherium/guest:latest, got ${JSON.stringify(input.image)}`,
        { details: { field: 'image' } },
      );
    }
    if (!driver.features.includes('image')) throw unsupported('image', driver, drivers);
  }
  if (input.network === true && !driver.features.includes('network')) {
    throw unsupported('network', driver, drivers);
  }
}

/** Refuses early, with a 4xx naming the driver, to snapshot a VM whose driver cannot. */
export function checkSnapshotSupported(driverName: DriverName, drivers: readonly DriverInfo[]): void {
  checkVmVerb('snapshot', 'snapshots need', 'cannot save a running VM', driverName, drivers);
}

/** Refuses early, with a 4xx naming the driver, to hibernate a VM whose driver cannot. */
export function checkHibernateSupported(driverName: DriverName, drivers: readonly DriverInfo[]): void {
  checkVmVerb('hibernate', 'hibernation needs', "cannot save a VM's memory", driverName, drivers);
}

/** `needs`: the sentence's start, `snapshots need`. */
function checkVmVerb(
  feature: VmFeature,
  needs: string,
  cannot: string,
  driverName: DriverName,
  drivers: readonly DriverInfo[],
): void {
  const driver = drivers.find((candidate) => candidate.name === driverName);
  if (driver?.features.includes(feature)) return;
  const why = driver?.lacks?.[feature] ?? `the ${driverName} driver ${cannot}`;
  throw new AetherError(
    'ERR_VALIDATION',
    `${needs} the ${joinOr(offering(drivers, feature))} driver; ${why}`,
    { details: { field: feature, driver: driverName } },
  );
}
