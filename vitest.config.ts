import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The SDK from its sources (as tsconfig.json's paths), not its build.
  resolve: {
    alias: { '@aetherium/sdk': fileURLToPath(new URL('./packages/sdk/src/index.ts', import.meta.url)) },
  },
  test: {
    globalSetup: ['test/support/agent-bundle.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Sandboxes, PGlite instances and queue workers are heavy on a 2-core machine.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          // The real guest image build (debootstrap, minutes, network) runs only when asked:
          // AETHER_IMAGE_BUILD_TEST=1. CI builds the image with the same code in `.ci/run`.
          exclude: [
            'test/fault/**',
            'test/e2e/startup-errors.test.ts',
            ...(process.env.AETHER_IMAGE_BUILD_TEST === '1' ? [] : ['src/images/build-real.test.ts']),
          ],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The fault test runs a cluster of processes and restarts databases: alone, after the
        // rest, so neither disturbs the other's timing.
        extends: true,
        test: { name: 'fault', include: ['test/fault/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
      {
        // Start-up failures must each be reported within a time budget: alone, last, so that
        // QEMU guests under software emulation in a neighbouring file do not eat that budget.
        extends: true,
        test: { name: 'startup', include: ['test/e2e/startup-errors.test.ts'], sequence: { groupOrder: 2 } },
      },
    ],
  },
});
