/**
 * The docker driver as a plug-in (see core/driver-module.ts): a container per VM on a Docker
 * Engine. dockerode loads when a worker opens it.
 */
import path from 'node:path';
import { z } from 'zod';
import { defineOptions } from '../../core/config/option.js';
import { defineDriver } from '../../core/driver-module.js';
import { AetherError } from '../../core/errors.js';

const DOCKER_OPTIONS = defineOptions({
  dockerHost: {
    env: 'DOCKER_HOST',
    file: 'docker.host',
    default: 'unix:///var/run/docker.sock',
    doc: 'Docker Engine the docker driver talks to (unix:// socket or tcp://host:port)',
    schema: z
      .string()
      .regex(
        /^(unix:\/\/\/|\/|tcp:\/\/[^:/]+:\d{1,5}\/?$)/,
        'must be unix:///path/to/docker.sock or tcp://host:port',
      ),
  },
  dockerImage: {
    env: 'AETHER_DOCKER_IMAGE',
    file: 'docker.image',
    default: 'aetherium/guest:latest',
    doc: 'Image of docker VMs whose request names none (`aether image build --docker` makes it)',
    schema: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._/:@-]{0,254}$/,
        'must be a Docker image reference such as aetherium/guest:latest',
      ),
  },
  dockerNetwork: {
    env: 'AETHER_DOCKER_NETWORK',
    file: 'docker.network',
    default: 'bridge',
    doc: 'Docker network of VMs created with `network: true` (others have none)',
    schema: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must name a Docker network'),
  },
});

export const dockerDriverModule = defineDriver({
  name: 'docker',
  summary:
    'Each VM is a container on a Docker Engine, with its own image, an optional Docker network and resource limits',
  features: ['image', 'network'],
  options: DOCKER_OPTIONS,
  /** Opens the driver and checks the engine now, so a node never starts without one. */
  async open({ options, dataDir, agentPath, workerId, logger }) {
    const { createDockerDriver } = await import('./docker-driver.js');
    const driver = createDockerDriver(
      {
        stateDir: path.resolve(dataDir, 'docker'),
        agentPath,
        dockerHost: options.dockerHost,
        defaultImage: options.dockerImage,
        network: options.dockerNetwork,
        workerId,
      },
      { logger },
    );
    let engine: Awaited<ReturnType<typeof driver.engine>>;
    try {
      engine = await driver.engine();
    } catch (error) {
      await driver.close();
      throw new AetherError('ERR_ISOLATION_UNAVAILABLE', (error as Error).message, {
        cause: error,
        details: { option: 'dockerHost' },
      });
    }
    const health = await driver.health();
    const image = health.ok
      ? options.dockerImage
      : `${options.dockerImage} MISSING (run \`aether image build --docker\`)`;
    return {
      driver,
      line: `docker driver: Docker ${engine.version} (API ${engine.apiVersion}) at ${options.dockerHost}; default image ${image}`,
    };
  },
});
