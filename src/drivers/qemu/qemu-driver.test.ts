import { IMAGE_DATA_DIR, qemuAvailable } from '../../../test/support/backends.js';
import { findVmImage } from '../../images/index.js';
import { describeDriverConformance } from '../../testing/conformance/drivers/driver-suite.js';
import { createQemuDriver } from './qemu-driver.js';

const available = await qemuAvailable();

describeDriverConformance(
  'qemu',
  ({ stateDir }) =>
    createQemuDriver({
      stateDir,
      image: () => findVmImage(IMAGE_DATA_DIR),
      // Software emulation on a loaded 2-core machine: boots take tens of seconds.
      bootTimeoutMs: 120_000,
    }),
  {
    skipReason: available ? null : 'no QEMU or no microVM guest image (see the line above)',
    testTimeoutMs: 300_000,
    pauses: true,
    enforcesLimits: 'memory',
    reportsUsage: true,
    hibernates: true,
  },
);
