import { inject } from 'vitest';
import { DOCKER_HOST, DOCKER_TEST_IMAGE, dockerAvailable } from '../../../test/support/backends.js';
import { describeDriverConformance } from '../conformance/driver-suite.js';
import { createDockerDriver } from './docker-driver.js';

const available = await dockerAvailable();

describeDriverConformance(
  'docker',
  ({ stateDir }) =>
    createDockerDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      dockerHost: DOCKER_HOST,
      defaultImage: DOCKER_TEST_IMAGE,
    }),
  { skipReason: available ? null : 'no Docker engine with the test image (see the line above)' },
);
