import { AetherError } from '../core/errors.js';
import { type DriverName, driverSupports, isImageReference, type VmFeature } from '../core/vm.js';
import type { CreateVmInput } from './inputs.js';

/** Why a driver that lacks a feature cannot have it, for the error message. */
const WHY_NOT: Partial<Record<DriverName, Record<VmFeature, string>>> = {
  process: {
    image: "the process driver runs the host's own /usr",
    network: 'the process driver gives a VM only a loopback device',
    snapshot: 'a process sandbox has no machine state to save',
  },
};

function unsupported(feature: VmFeature, driver: DriverName): AetherError {
  const why = WHY_NOT[driver]?.[feature] ?? `the ${driver} driver does not support it`;
  return new AetherError(
    'ERR_VALIDATION',
    `${feature} needs the docker driver (or a microVM driver); ${why}`,
    { details: { field: feature, driver } },
  );
}

/**
 * Checks a create request's `image` and `network` against the driver that will run the VM (the
 * effective one: the request's, or the configured default). Throws ERR_VALIDATION naming the field.
 */
export function checkVmFeatures(input: Pick<CreateVmInput, 'image' | 'network'>, driver: DriverName): void {
  if (input.image !== undefined) {
    if (!isImageReference(input.image)) {
      throw new AetherError(
        'ERR_VALIDATION',
        `image must be a Docker image reference such as aetherium/guest:latest, got ${JSON.stringify(input.image)}`,
        { details: { field: 'image' } },
      );
    }
    if (!driverSupports(driver, 'image')) throw unsupported('image', driver);
  }
  if (input.network === true && !driverSupports(driver, 'network')) throw unsupported('network', driver);
}

/** Refuses early, with a 4xx naming the driver, to snapshot a VM whose driver cannot. */
export function checkSnapshotSupported(driver: DriverName): void {
  if (driverSupports(driver, 'snapshot')) return;
  const why = WHY_NOT[driver]?.snapshot ?? `the ${driver} driver cannot save a running VM`;
  throw new AetherError('ERR_VALIDATION', `snapshots need the qemu or firecracker driver; ${why}`, {
    details: { field: 'snapshot', driver },
  });
}
