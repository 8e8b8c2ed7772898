import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/agent-bundle.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Sandboxes, PGlite instances and queue workers are heavy on a 2-core machine.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
