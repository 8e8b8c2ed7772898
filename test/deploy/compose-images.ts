/**
 * The local images the compose test runs, all built on this machine from Debian's archive, the
 * npm registry and this checkout (no container registry is needed): deploy/compose/ci/
 * build-images.sh makes the Debian base once, then builds the PostgreSQL and Redis stand-ins
 * and the Aetherium image from the repository's Dockerfile. `.ci/run` runs the same script
 * before the tests, so here every build is a cache hit.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../support/run-command.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const COMPOSE_FILE = path.join(REPO_ROOT, 'deploy/compose/docker-compose.yml');
const BUILD_SCRIPT = path.join(REPO_ROOT, 'deploy/compose/ci/build-images.sh');

/** Tags of the local images; the script's own defaults, overridable as it documents. */
export const LOCAL_IMAGES = {
  base: process.env.AETHER_CI_BASE_IMAGE ?? 'aether-ci/debian:trixie',
  aetherium: process.env.AETHER_CI_IMAGE ?? 'aether-ci/aetherium:latest',
  postgres: process.env.AETHER_CI_POSTGRES_IMAGE ?? 'aether-ci/postgres:17',
  redis: process.env.AETHER_CI_REDIS_IMAGE ?? 'aether-ci/redis:trixie',
} as const;

/** A cold build (debootstrap, npm ci, the dashboard) takes minutes on two cores. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

/** Builds (or finds in Docker's cache) every local image; rejects with the script's output. */
export async function buildLocalImages(): Promise<{ durationMs: number }> {
  const started = Date.now();
  const result = await runCommand([BUILD_SCRIPT], {
    env: {
      ...process.env,
      AETHER_CI_BASE_IMAGE: LOCAL_IMAGES.base,
      AETHER_CI_IMAGE: LOCAL_IMAGES.aetherium,
      AETHER_CI_POSTGRES_IMAGE: LOCAL_IMAGES.postgres,
      AETHER_CI_REDIS_IMAGE: LOCAL_IMAGES.redis,
    },
    timeoutMs: BUILD_TIMEOUT_MS,
  });
  if (result.code !== 0) {
    throw new Error(`${BUILD_SCRIPT} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return { durationMs: Date.now() - started };
}

/** The compose file's variables that point it at the local images. */
export function localImageEnv(): Record<string, string> {
  return {
    AETHER_IMAGE: LOCAL_IMAGES.aetherium,
    AETHER_POSTGRES_IMAGE: LOCAL_IMAGES.postgres,
    AETHER_REDIS_IMAGE: LOCAL_IMAGES.redis,
  };
}
