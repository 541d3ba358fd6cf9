import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The lab tests share one set of network namespaces per file; never run two lab files at once.
    fileParallelism: true,
    pool: 'forks',
  },
});
