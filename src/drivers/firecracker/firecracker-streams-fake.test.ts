/**
 * The conformance suite's stream cases (guest files, streamed stdin, signals) on the firecracker
 * driver, with the fake Firecracker as its VMM: the driver's vsock path to the real agent carries
 * them end to end where KVM is missing. The isolation cases stay with the real-Firecracker suite
 * (firecracker-driver.test.ts): the fake's guest is a host process and cannot honour them.
 */
import { useFakeFirecrackerDrivers } from '../../../test/support/fake-firecracker-drivers.js';
import { describeDriverStreams } from '../../testing/conformance/drivers/stream-cases.js';

const fake = useFakeFirecrackerDrivers();

describeDriverStreams('firecracker-fake', ({ stateDir }) => fake.makeDriver({}, { stateDir }).driver, {
  // Each fake VMM is a Node process loading TypeScript before its guest boots.
  testTimeoutMs: 60_000,
});
