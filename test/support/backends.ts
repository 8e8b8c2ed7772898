/**
 * Real backends for tests. A backend that cannot be reached makes its tests skip with a printed
 * reason on a developer machine; under CI (CI=true), where `.ci/run` provides every backend,
 * an unreachable one is a failure instead.
 */
import net from 'node:net';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function tcpReachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Resolves true when usable; false (after printing why) when the tests should skip. */
export async function requireBackend(name: string, available: boolean, reason: string): Promise<boolean> {
  if (available) return true;
  const message = `[skip] ${name} tests: ${reason}`;
  if (process.env.CI === 'true')
    throw new Error(`${message} (CI provides ${name}; a skip is a failure here)`);
  console.warn(message);
  return false;
}

export async function postgresAvailable(): Promise<boolean> {
  const url = new URL(POSTGRES_URL);
  const ok = await tcpReachable(url.hostname, Number(url.port || 5432));
  return requireBackend(
    'PostgreSQL',
    ok,
    `nothing listens at ${url.host}; start PostgreSQL or set TEST_DATABASE_URL`,
  );
}

export async function redisAvailable(): Promise<boolean> {
  const url = new URL(REDIS_URL);
  const ok = await tcpReachable(url.hostname, Number(url.port || 6379));
  return requireBackend('Redis', ok, `nothing listens at ${url.host}; start Redis or set TEST_REDIS_URL`);
}

export const DOCKER_HOST = process.env.TEST_DOCKER_HOST ?? 'unix:///var/run/docker.sock';
/** Image the Docker tests boot; `.ci/run` builds it with `aether image build --docker`. */
export const DOCKER_TEST_IMAGE = process.env.TEST_DOCKER_IMAGE ?? 'aetherium/guest:latest';

/** A Docker engine answers and holds the test image. */
export async function dockerAvailable(): Promise<boolean> {
  const { default: Dockerode } = await import('dockerode');
  const socketPath = DOCKER_HOST.replace(/^unix:\/\//, '');
  const docker = new Dockerode({ socketPath });
  let reason: string | null = null;
  try {
    await docker.version();
    try {
      await docker.getImage(DOCKER_TEST_IMAGE).inspect();
    } catch {
      reason = `image ${DOCKER_TEST_IMAGE} is missing; build it with \`aether image build --docker\` or set TEST_DOCKER_IMAGE`;
    }
  } catch (error) {
    reason = `no Docker engine at ${DOCKER_HOST} (${(error as Error).message}); start dockerd or set TEST_DOCKER_HOST`;
  }
  return requireBackend('Docker', reason === null, reason ?? '');
}

/** Data dir holding the built guest images (`aether image build --vm --data-dir`); `.ci/run` builds there. */
export const IMAGE_DATA_DIR = process.env.TEST_IMAGE_DATA_DIR ?? '/var/cache/aether-ci';

/** QEMU is installed and a microVM guest image is built: the qemu driver can boot VMs. */
export async function qemuAvailable(): Promise<boolean> {
  const { spawnSync } = await import('node:child_process');
  let reason: string | null = null;
  const qemu = spawnSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' });
  const qemuImg = spawnSync('qemu-img', ['--version'], { encoding: 'utf8' });
  if (qemu.status !== 0) reason = 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)';
  else if (qemuImg.status !== 0) reason = 'qemu-img is not installed (apt-get install qemu-utils)';
  else {
    const { findVmImage } = await import('../../src/images/index.js');
    await findVmImage(IMAGE_DATA_DIR).catch((error: Error) => {
      reason = `${error.message} (looked in ${IMAGE_DATA_DIR}; set TEST_IMAGE_DATA_DIR)`;
    });
  }
  return requireBackend('QEMU', reason === null, reason ?? '');
}

/** What a real Firecracker test run needs, from the environment; `reason` says why it cannot run. */
export interface FirecrackerTestHost {
  reason: string | null;
  binary: string;
  kernel: string;
  /** Set (with root) to run the VMMs under the jailer. */
  jailer: string | null;
}

/**
 * Firecracker and a KVM that boots guests: `AETHER_FIRECRACKER_BIN` and `AETHER_KERNEL` set and
 * usable, and a microVM image in TEST_IMAGE_DATA_DIR. Neither this machine nor CI provides them,
 * so unlike the other backends a missing one is a skip even under CI=true; the caller prints
 * `reason` with its skip.
 */
export async function firecrackerTestHost(): Promise<FirecrackerTestHost> {
  const binary = process.env.AETHER_FIRECRACKER_BIN ?? '';
  const kernel = process.env.AETHER_KERNEL ?? '';
  const jailer =
    process.env.AETHER_JAILER_BIN && process.getuid?.() === 0 ? process.env.AETHER_JAILER_BIN : null;
  const host: FirecrackerTestHost = { reason: null, binary, kernel, jailer };
  const { spawnSync } = await import('node:child_process');
  const { accessSync, constants } = await import('node:fs');
  if (binary === '' || kernel === '') {
    host.reason =
      'AETHER_FIRECRACKER_BIN and AETHER_KERNEL are not set; this is expected here and in CI, which provide neither Firecracker nor a KVM that boots guest kernels. On a KVM host, set both (and AETHER_JAILER_BIN as root for jailer mode) to run it';
  } else if (spawnSync(binary, ['--version']).status !== 0) {
    host.reason = `AETHER_FIRECRACKER_BIN=${binary} does not run (\`${binary} --version\` failed)`;
  } else {
    try {
      accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
      accessSync(kernel, constants.R_OK);
      const { findVmImage } = await import('../../src/images/index.js');
      await findVmImage(IMAGE_DATA_DIR);
    } catch (error) {
      host.reason = `${(error as Error).message} (needs /dev/kvm read-write, AETHER_KERNEL readable, and a microVM image in ${IMAGE_DATA_DIR})`;
    }
  }
  return host;
}
