/**
 * The driver conformance suite on a real Firecracker under KVM. It runs where the host has both
 * (`AETHER_FIRECRACKER_BIN`, `AETHER_KERNEL`, a microVM image in TEST_IMAGE_DATA_DIR; with
 * `AETHER_JAILER_BIN`, as root, under the jailer) and is skipped, saying why, everywhere else.
 */
import { join } from 'node:path';
import { firecrackerTestHost, IMAGE_DATA_DIR } from '../../../test/support/backends.js';
import { findVmImage } from '../../images/index.js';
import { describeDriverConformance } from '../conformance/driver-suite.js';
import { createFirecrackerDriver } from './firecracker-driver.js';

const host = await firecrackerTestHost();

describeDriverConformance(
  'firecracker',
  ({ stateDir }) =>
    createFirecrackerDriver({
      stateDir,
      firecrackerBinary: host.binary,
      kernel: host.kernel,
      image: async () => {
        const image = await findVmImage(IMAGE_DATA_DIR);
        return { id: image.id, rootfs: image.rootfs };
      },
      jailer: host.jailer
        ? { binary: host.jailer, chrootBaseDir: join(stateDir, 'jailer'), uidBase: 900_000 }
        : null,
    }),
  { skipReason: host.reason, testTimeoutMs: 120_000 },
);
